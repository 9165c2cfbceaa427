"""The co-created vision: a draft, rounds of comments and proposed changes (anonymous when the
round says so), support votes, the owner's decision on each proposal with a reason, published
versions with their history and a diff, and "feels connected" marks.

Anonymous rounds follow reflection's writer-key guarantees (docs/anonymity.md): a proposal in an
anonymous round stores no author and no time, has a random id, and keeps only a hash of the
writer's key and its own id (so no two proposals of one writer share a stored value); every
write re-inserts the round's proposals and supports in a random order, so storage order says
nothing about who wrote first; writing and supporting leave no activity event, only a per-day
count. The key is held by the client (a cookie scoped to the vision's pages, or the X-Writer-Key
header for API clients).

A client that drops its key gets a fresh one, whose supports hash differently; so each person's
supports in a round are also counted on their RoundParticipant row (the round's support budget,
5 unless the round says otherwise), as reflection counts dot votes on its participants: the
count is per person, the support rows stay per key and proposal."""

import difflib
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.activity.services import count_anonymous_activity, record_activity
from learnloop.org.membership import active_people
from learnloop.strategy.models import (
    Connection,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Round,
    RoundParticipant,
    Support,
    Vision,
    VisionVersion,
)
from learnloop.strategy.permissions import can_contribute, can_plan, can_steer_vision, can_view, require

MAX_TEXT = 5000
MAX_DRAFT = 20000
DEFAULT_SUPPORT_BUDGET = 5
MAX_SUPPORT_BUDGET = 50
_random = secrets.SystemRandom()
KEY_HEADER = "X-Writer-Key"


def new_key() -> str:
    return secrets.token_urlsafe(32)


def is_well_formed(key) -> bool:
    return isinstance(key, str) and 32 <= len(key) <= 128 and all(c.isalnum() or c in "-_" for c in key)


def _derive(purpose: str, round_id: int, secret: str) -> str:
    return hashlib.sha256(f"vision:{purpose}:{round_id}:{secret}".encode()).hexdigest()


def proposal_hash(round_id: int, key: str, proposal_id) -> str:
    return _derive(f"proposal:{proposal_id}", round_id, key)


def support_hash(round_: Round, proposal_id, *, person=None, key: str | None = None) -> str:
    """Named rounds: per person and proposal. Anonymous rounds: per key and proposal, so two
    supports of one voter share nothing a database holder could group them by."""
    if round_.anonymous:
        return _derive(f"support:{proposal_id}", round_.pk, key)
    return _derive(f"support:{proposal_id}:person", round_.pk, str(person.pk))


def cookie_name(vision_id: int, *, secure: bool = False) -> str:
    return f"{'__Secure-' if secure else ''}ll_vision_{vision_id}"


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: "Fill this in."})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    return text


def _reshuffle(round_: Round) -> None:
    """Re-insert the round's proposals and supports in a random order (inside the write's
    transaction), so rowids, ctid order and xmin say nothing about who wrote when."""
    proposals = list(Proposal.objects.filter(round=round_))
    supports = list(Support.objects.filter(proposal__round=round_))
    Proposal.objects.filter(round=round_).delete()  # their supports go with them
    _random.shuffle(proposals)
    _random.shuffle(supports)
    Proposal.objects.bulk_create(proposals)
    Support.objects.bulk_create(supports)


# --- writes ----------------------------------------------------------------------------------


def create_vision(*, by, title: str, team=None, draft: str = "", owner=None, at=None) -> Vision:
    require(can_plan(by, team), "You may not start this vision.")
    if Vision.objects.filter(team=team).exists():
        raise ValidationError({"team_id": gettext("This vision exists already.")})
    with transaction.atomic():
        vision = Vision.objects.create(title=_text(title, field="title", limit=200), team=team, owner=owner or by,
                                       draft=_text(draft, field="draft", limit=MAX_DRAFT, required=False),
                                       created_at=at or timezone.now())
        record_activity(verb="vision_started", subject=vision, actor=by, team=team, at=at)
    return vision


def update_draft(*, by, vision: Vision, draft: str) -> Vision:
    require(can_steer_vision(by, vision), "Only the vision's owner and leads edit the draft.")
    vision.draft = _text(draft, field="draft", limit=MAX_DRAFT)
    vision.save(update_fields=["draft"])
    return vision


def open_round(*, by, vision: Vision, question: str = "", anonymous: bool = False,
               support_budget: int = DEFAULT_SUPPORT_BUDGET, at=None) -> Round:
    require(can_steer_vision(by, vision), "Only the vision's owner and leads open rounds.")
    if not (isinstance(support_budget, int) and 1 <= support_budget <= MAX_SUPPORT_BUDGET):
        raise ValidationError({"support_budget": gettext("Between 1 and %(most)s supports a person.")
                               % {"most": MAX_SUPPORT_BUDGET}})
    with transaction.atomic():
        if Round.objects.select_for_update().filter(vision=vision, closed_on=None).exists():
            raise ValidationError(gettext("A round is open already: close it first."))
        number = (Round.objects.filter(vision=vision).order_by("-number").values_list("number", flat=True)
                  .first() or 0) + 1
        round_ = Round.objects.create(vision=vision, number=number, anonymous=bool(anonymous),
                                      support_budget=support_budget,
                                      question=_text(question, field="question", limit=300, required=False),
                                      opened_on=timezone.localdate(at) if at else timezone.localdate())
        record_activity(verb="vision_round_opened", subject=vision, actor=by, team=vision.team, at=at)
    return round_


def close_round(*, by, round_: Round, at=None) -> Round:
    require(can_steer_vision(by, round_.vision), "Only the vision's owner and leads close rounds.")
    if round_.closed_on is not None:
        raise ValidationError(gettext("This round is closed already."))
    round_.closed_on = timezone.localdate(at) if at else timezone.localdate()
    round_.save(update_fields=["closed_on"])
    return round_


def propose(*, by, round_: Round, kind: str, text: str, replace: str = "", with_text: str = "",
            writer_key: str | None = None) -> Proposal:
    """A comment, or a proposed change (replace a passage of the draft, or add text when
    `replace` is empty). In an anonymous round the writer key is required."""
    require(can_contribute(by, round_.vision), "Sign in to take part.")
    if round_.closed_on is not None:
        raise ValidationError(gettext("This round is closed."))
    if kind not in ProposalKind.values:
        raise ValidationError({"kind": gettext("A comment or a proposed change.")})
    text = _text(text, field="text", limit=MAX_TEXT)
    replace = _text(replace, field="replace", limit=MAX_TEXT, required=False)
    with_text = _text(with_text, field="with_text", limit=MAX_TEXT, required=kind == ProposalKind.CHANGE)
    if kind == ProposalKind.COMMENT:
        replace = with_text = ""
    elif replace and replace not in round_.vision.draft:
        raise ValidationError({"replace": gettext("That passage is not in the current draft: copy it exactly.")})
    if round_.anonymous and not is_well_formed(writer_key):
        raise ValidationError(gettext("Anonymous rounds need a writer key (open the vision page first)."))
    with transaction.atomic():
        proposal = Proposal(round=round_, kind=kind, text=text, replace=replace, with_text=with_text,
                            shuffle_key=_random.randrange(2**31))
        if round_.anonymous:
            proposal.writer_hash = proposal_hash(round_.pk, writer_key, proposal.id)
            proposal.save(force_insert=True)
            _reshuffle(round_)
            count_anonymous_activity(verb="vision_proposal", subject=round_.vision, team=round_.vision.team)
        else:
            proposal.author = by
            proposal.save(force_insert=True)
            record_activity(verb="vision_proposal", subject=round_.vision, actor=by, team=round_.vision.team)
    return proposal


def support(*, by, proposal: Proposal, writer_key: str | None = None) -> bool:
    """Support a proposal once (again: no change). True when a new support was kept."""
    round_ = proposal.round
    require(can_contribute(by, round_.vision), "Sign in to take part.")
    if round_.closed_on is not None:
        raise ValidationError(gettext("This round is closed."))
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(gettext("The owner has decided on this proposal already."))
    if round_.anonymous and not is_well_formed(writer_key):
        raise ValidationError(gettext("Anonymous rounds need a writer key (open the vision page first)."))
    if round_.anonymous and proposal.writer_hash == proposal_hash(round_.pk, writer_key, proposal.pk):
        raise ValidationError(gettext("You proposed this yourself."))
    if not round_.anonymous and proposal.author_id == by.pk:
        raise ValidationError(gettext("You proposed this yourself."))
    mark = support_hash(round_, proposal.pk, person=by, key=writer_key)
    with transaction.atomic():
        if Support.objects.filter(proposal=proposal, voter_hash=mark).exists():
            return False
        participant, _ = RoundParticipant.objects.select_for_update().get_or_create(round=round_, person=by)
        if participant.supports_used >= round_.support_budget:
            raise ValidationError(gettext("You have used all %(budget)s of your supports in this round.")
                                  % {"budget": round_.support_budget})
        participant.supports_used += 1
        participant.save(update_fields=["supports_used"])
        Support.objects.create(proposal=proposal, voter_hash=mark)
        if round_.anonymous:
            _reshuffle(round_)
            count_anonymous_activity(verb="vision_support", subject=round_.vision, team=round_.vision.team)
    return True


def apply_change(draft: str, proposal: Proposal) -> str:
    if not proposal.replace:
        return (draft.rstrip() + "\n\n" + proposal.with_text).strip()
    if proposal.replace not in draft:
        raise ValidationError({"reason": "The passage this change replaces is no longer in the draft; reject it "
                                         "with a reason or edit the draft by hand."})
    return draft.replace(proposal.replace, proposal.with_text, 1)


def decide(*, by, proposal: Proposal, accept: bool, reason: str, at=None) -> Proposal:
    """The owner's convergence step: accept (a change goes into the draft) or reject, with a reason."""
    vision = proposal.round.vision
    require(can_steer_vision(by, vision), "Only the vision's owner and leads decide on proposals.")
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(gettext("This proposal is decided already."))
    reason = _text(reason, field="reason", limit=MAX_TEXT)
    with transaction.atomic():
        vision = Vision.objects.select_for_update().get(pk=vision.pk)
        if accept and proposal.kind == ProposalKind.CHANGE:
            vision.draft = apply_change(vision.draft, proposal)
            vision.save(update_fields=["draft"])
        Proposal.objects.filter(pk=proposal.pk).update(
            status=ProposalStatus.ACCEPTED if accept else ProposalStatus.REJECTED, reason=reason,
            decided_on=timezone.localdate(at) if at else timezone.localdate())
        record_activity(verb="vision_decided", subject=vision, actor=by, team=vision.team, at=at,
                        data={"accepted": bool(accept)})
    proposal.refresh_from_db()
    return proposal


def publish(*, by, vision: Vision, summary: str = "", at=None) -> VisionVersion:
    require(can_steer_vision(by, vision), "Only the vision's owner and leads publish it.")
    text = _text(vision.draft, field="draft", limit=MAX_DRAFT)
    with transaction.atomic():
        last = VisionVersion.objects.filter(vision=vision).order_by("-number").first()
        if last is not None and last.text == text:
            raise ValidationError(gettext("The draft is the same as the published version."))
        version = VisionVersion.objects.create(vision=vision, number=(last.number if last else 0) + 1, text=text,
                                               summary=_text(summary, field="summary", limit=300, required=False),
                                               published_by=by, published_at=at or timezone.now())
        record_activity(verb="vision_published", subject=vision, actor=by, team=vision.team, at=at,
                        data={"version": version.number})
    return version


def mark_connected(*, by, vision: Vision, note: str = "", at=None) -> Connection:
    require(can_contribute(by, vision), "Sign in to take part.")
    with transaction.atomic():
        connection, _ = Connection.objects.update_or_create(
            vision=vision, person=by, defaults={"note": _text(note, field="note", limit=500, required=False),
                                                "marked_on": timezone.localdate(at) if at else timezone.localdate()})
    return connection


# --- reads -----------------------------------------------------------------------------------


def visions(viewer):
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    return Vision.objects.select_related("team", "owner").order_by("team__name", "pk")


def vision_for(viewer, vision_id: int) -> Vision:
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    try:
        return Vision.objects.select_related("team", "owner").get(pk=vision_id)
    except Vision.DoesNotExist:
        raise Http404("No such vision.") from None


def organization_vision(viewer) -> Vision | None:
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    return Vision.objects.select_related("owner").filter(team=None).first()


def proposal_for(viewer, proposal_id) -> Proposal:
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    try:
        return Proposal.objects.select_related("round__vision").get(pk=proposal_id)
    except (Proposal.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such proposal.") from None


def round_for(viewer, vision: Vision, number: int) -> Round:
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    try:
        return Round.objects.select_related("vision").get(vision=vision, number=number)
    except Round.DoesNotExist:
        raise Http404("No such round.") from None


def rounds_of(viewer, vision: Vision, *, writer_key: str | None = None) -> list[dict]:
    """Every round, newest first, with its proposals (in stored random order: never by time or
    author) and their support counts; `mine` marks what the viewer wrote or supported;
    `supports_left` is what the viewer's budget in the round still allows."""
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    rounds = list(Round.objects.filter(vision=vision).prefetch_related("proposals__supports", "proposals__author"))
    used = dict(RoundParticipant.objects.filter(round__vision=vision, person_id=viewer.pk)
                .values_list("round_id", "supports_used"))
    out = []
    for round_ in rounds:
        rows = []
        for proposal in round_.proposals.all():
            supports = {item.voter_hash for item in proposal.supports.all()}
            if round_.anonymous:
                mine = is_well_formed(writer_key) and proposal.writer_hash == proposal_hash(
                    round_.pk, writer_key, proposal.pk)
                supported = is_well_formed(writer_key) and support_hash(
                    round_, proposal.pk, key=writer_key) in supports
            else:
                mine = proposal.author_id == viewer.pk
                supported = support_hash(round_, proposal.pk, person=viewer) in supports
            rows.append({"proposal": proposal, "support": len(supports), "mine": mine, "supported": supported,
                         "author": None if round_.anonymous else proposal.author})
        out.append({"round": round_, "proposals": rows,
                    "supports_left": max(round_.support_budget - used.get(round_.pk, 0), 0)})
    return out


def versions_of(viewer, vision: Vision) -> list[VisionVersion]:
    require(can_view(viewer), gettext("Sign in to see the strategy."))
    return list(VisionVersion.objects.filter(vision=vision).select_related("published_by").order_by("-number"))


def diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level lines of a diff between two texts: ("same"|"added"|"removed", line)."""
    rows = []
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        tag = line[:2]
        if tag == "? ":
            continue
        rows.append(({"  ": "same", "+ ": "added", "- ": "removed"}[tag], line[2:]))
    return rows


def unified_diff(old: VisionVersion | None, new: VisionVersion) -> str:
    return "\n".join(difflib.unified_diff((old.text if old else "").splitlines(), new.text.splitlines(),
                                          f"version {old.number if old else 0}", f"version {new.number}",
                                          lineterm=""))


def engagement(vision: Vision) -> dict:
    """Who marked that the vision feels connected to their work: the share of active people."""
    connections = list(Connection.objects.filter(vision=vision).select_related("person"))
    if vision.team_id is not None:
        from learnloop.org.membership import active_members

        population = active_members(vision.team).count()
    else:
        population = active_people().count()
    engaged = len(connections)
    return {"engaged": engaged, "population": population,
            "share": engaged / population if population else None, "connections": connections}


def require_steer(viewer, vision) -> None:
    if not can_steer_vision(viewer, vision):
        raise PermissionDenied("Only the vision's owner and leads may do this.")
