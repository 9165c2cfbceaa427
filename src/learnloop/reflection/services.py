"""Templates and the session flow: creating sessions, joining, phases, reveal, anonymity.

Cards, groups and votes are in cards.py; actions and lessons in follow_up.py.
"""

import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from learnloop.activity.services import record_activity
from learnloop.reflection import checkin
from learnloop.reflection.builtin_templates import BUILTIN_TEMPLATES
from learnloop.reflection.models import (
    ANONYMITY_RANK,
    PHASE_ORDER,
    Anonymity,
    Card,
    CheckIn,
    Group,
    Mode,
    Participant,
    Phase,
    Session,
    Template,
    TemplateKind,
    TemplateScope,
    VoteMark,
)
from learnloop.reflection.permissions import (
    can_facilitate,
    can_start_session,
    can_take_part,
    can_use_template,
    can_write_template,
    require,
)
from learnloop.reflection.shuffle import reshuffle_cards, reshuffle_marks
from learnloop.reflection.writer_keys import ADJECTIVES, ANIMALS

MAX_COLUMNS = 8
COLUMN_KEY_LENGTH = 40

# --- templates ------------------------------------------------------------------------------------


def ensure_builtin_templates() -> None:
    """Built-in templates are rows (sessions point at them); make sure they exist. Cheap when
    they do: one query."""
    existing = set(Template.objects.filter(scope=TemplateScope.BUILTIN).values_list("slug", flat=True))
    for spec in BUILTIN_TEMPLATES:
        if spec["slug"] not in existing:
            Template.objects.get_or_create(
                slug=spec["slug"],
                defaults={**{key: spec[key] for key in ("name", "kind", "description", "columns")},
                          "scope": TemplateScope.BUILTIN},
            )


def builtin_template(slug: str) -> Template:
    ensure_builtin_templates()
    return Template.objects.get(slug=slug, scope=TemplateScope.BUILTIN)


def _clean_columns(columns) -> list[dict]:
    if not isinstance(columns, list) or not columns:
        raise ValidationError({"columns": gettext("A template needs at least one column.")})
    if len(columns) > MAX_COLUMNS:
        raise ValidationError({"columns": f"At most {MAX_COLUMNS} columns."})
    cleaned, keys = [], set()
    for column in columns:
        if not isinstance(column, dict):
            raise ValidationError({"columns": gettext("Each column has a title and, optionally, a prompt.")})
        title = " ".join(str(column.get("title", "")).split())
        if not title or len(title) > 80:
            raise ValidationError({"columns": gettext("Each column needs a title of at most 80 characters.")})
        key = slugify(column.get("key") or title).replace("-", "_")[:COLUMN_KEY_LENGTH] or f"column_{len(keys) + 1}"
        if key in keys:
            raise ValidationError({"columns": f"Two columns are both called “{title}”."})
        keys.add(key)
        prompt = " ".join(str(column.get("prompt", "")).split())[:300]
        entry = {"key": key, "title": title, "prompt": prompt}
        if column.get("whys"):
            entry["whys"] = True
        cleaned.append(entry)
    return cleaned


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "template"
    slug, number = base, 2
    while Template.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _check_scope(by, scope: str, team) -> None:
    if scope not in {TemplateScope.ORGANIZATION, TemplateScope.TEAM}:
        raise ValidationError({"scope": gettext("A custom template belongs to the organization or to a team.")})
    if scope == TemplateScope.TEAM and team is None:
        raise ValidationError({"team": gettext("Choose the team this template belongs to.")})
    if scope == TemplateScope.ORGANIZATION:
        team = None
    require(
        can_write_template(by, scope=scope, team=team),
        "Only learning leads and admins write organization templates; team facilitators write their team's.",
    )


def create_template(*, by, name: str, columns, kind: str = TemplateKind.RETRO, description: str = "",
                    scope: str = TemplateScope.ORGANIZATION, team=None, cloned_from=None,
                    at: datetime | None = None) -> Template:
    _check_scope(by, scope, team)
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationError({"name": gettext("A template needs a name of at most 120 characters.")})
    if kind not in TemplateKind.values:
        raise ValidationError({"kind": f"Kind must be one of: {', '.join(TemplateKind.values)}."})
    with transaction.atomic():
        template = Template.objects.create(
            name=name, slug=_unique_slug(name), kind=kind, description=(description or "").strip(),
            columns=_clean_columns(columns), scope=scope, team=team if scope == TemplateScope.TEAM else None,
            cloned_from=cloned_from, created_by=by, created_at=at or timezone.now(),
        )
        record_activity(verb="created", subject=template, actor=by, team=template.team, at=at)
    return template


def clone_template(*, by, template: Template, scope: str = TemplateScope.ORGANIZATION, team=None,
                   name: str | None = None, at: datetime | None = None) -> Template:
    require(can_use_template(by, template), gettext("You can't see this template."))
    return create_template(
        by=by, name=name or f"{template.shown_name} (copy)", columns=template.shown_columns, kind=template.kind,
        description=template.shown_description, scope=scope, team=team, cloned_from=template, at=at,
    )


def update_template(*, by, template: Template, name=None, description=None, columns=None) -> Template:
    if template.is_builtin:
        raise ValidationError({"scope": gettext("Built-in templates can't be changed; clone one and edit the copy.")})
    require(can_write_template(by, scope=template.scope, team=template.team),
            gettext("Only the template's owners (learning leads for the organization, facilitators for a team) "
                    "can edit it."))
    if name is not None:
        name = " ".join(name.split())
        if not name or len(name) > 120:
            raise ValidationError({"name": gettext("A template needs a name of at most 120 characters.")})
        template.name = name
    if description is not None:
        template.description = description.strip()
    if columns is not None:
        template.columns = _clean_columns(columns)
    template.save()
    return template


# --- sessions ---------------------------------------------------------------------------------------


def _clean_deadlines(deadlines) -> dict[str, str]:
    cleaned = {}
    for phase, value in (deadlines or {}).items():
        if phase not in PHASE_ORDER or phase == Phase.CLOSED:
            raise ValidationError({"phase_deadlines": f"“{phase}” is not a phase with a deadline."})
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ValidationError({"phase_deadlines": f"The {phase} deadline is not a date and time."}) from None
        if not isinstance(value, datetime):
            raise ValidationError({"phase_deadlines": f"The {phase} deadline is not a date and time."})
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        cleaned[phase] = value.isoformat()
    return cleaned


def create_session(
    *,
    by,
    team,
    template: Template,
    title: str,
    goal: str = "",
    facilitator=None,
    mode: str = Mode.LIVE,
    phase_deadlines=None,
    anonymity: str = Anonymity.NAMED,
    vote_budget: int = 3,
    work_owner=None,
    held_on=None,
    at: datetime | None = None,
    checkin_question: str = "",
) -> Session:
    require(can_start_session(by, team), f"Only members and leads of {team} can start its sessions.")
    require(can_use_template(by, template), gettext("That template belongs to another team."))
    if team.is_archived:
        raise ValidationError({"team": gettext("%(team)s is archived.") % {"team": team}})
    title = " ".join((title or "").split())
    if not title or len(title) > 200:
        raise ValidationError({"title": gettext("A session needs a title of at most 200 characters.")})
    if mode not in Mode.values:
        raise ValidationError({"mode": gettext("Mode must be live or async.")})
    if anonymity not in Anonymity.values:
        raise ValidationError({"anonymity": gettext("Anonymity must be named, alias or anonymous.")})
    if not 1 <= int(vote_budget) <= 50:
        raise ValidationError({"vote_budget": gettext("Give each person between 1 and 50 votes.")})
    deadlines = _clean_deadlines(phase_deadlines)
    if mode == Mode.ASYNC and not deadlines:
        raise ValidationError(
            {"phase_deadlines": gettext("An asynchronous session needs a deadline for at least one phase.")}
        )
    if template.kind == TemplateKind.CRITIQUE and work_owner is None:
        work_owner = by
    checkin_question = " ".join((checkin_question or "").split())
    if len(checkin_question) > checkin.MAX_QUESTION_LENGTH:
        raise ValidationError(
            {
                "checkin_question": gettext("Keep the question under %(max)s characters.")
                % {"max": checkin.MAX_QUESTION_LENGTH}
            }
        )
    facilitator = facilitator or by
    if not facilitator.is_active:
        raise ValidationError({"facilitator": gettext("%(person)s is deactivated.") % {"person": facilitator}})
    with transaction.atomic():
        session = Session.objects.create(
            team=team,
            template=template,
            title=title,
            goal=(goal or "").strip(),
            facilitator=facilitator,
            mode=mode,
            phase_deadlines=deadlines,
            anonymity=anonymity,
            vote_budget=vote_budget,
            work_owner=work_owner,
            held_on=held_on or timezone.localdate(at),
            created_at=at or timezone.now(),
            checkin_question=checkin_question,
        )
        Participant.objects.get_or_create(session=session, person=facilitator)
        record_activity(verb="created", subject=session, actor=by, team=team, data={"template": template.slug}, at=at)
    return session


def join_session(*, by, session: Session) -> Participant:
    """Take part: called when the person opens the board (or joins through the API), in its
    own transaction, so participant rows are in the order people arrived, not in the order
    they first wrote a card or voted."""
    require(can_take_part(by, session), f"Only members of {session.team} take part in its sessions.")
    participant, _ = Participant.objects.get_or_create(session=session, person=by)
    return participant


def set_phase(*, by, session: Session, phase: str) -> Session:
    """Move to the next phase or back one. A closed session stays closed."""
    require(can_facilitate(by, session), gettext("Only the facilitator moves the session between phases."))
    if phase not in PHASE_ORDER:
        raise ValidationError({"phase": f"Phase must be one of: {', '.join(PHASE_ORDER)}."})
    if session.is_closed:
        raise ValidationError({"phase": gettext("This session is closed.")})
    target, current = PHASE_ORDER.index(phase), session.phase_index
    if target not in {current + 1, current - 1}:
        raise ValidationError(
            {
                "phase": gettext("From %(phase)s the session can only move one step.")
                % {"phase": session.get_phase_display()}
            }
        )
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        restarting = phase == Phase.VOTE and session.tallies_shown
        _enter_phase(session, phase)
        session.save()
        Participant.objects.filter(session=session).update(done_with="")
        record_activity(
            verb=f"phase_{phase}",
            subject=session,
            actor=by,
            team=session.team,
            data={"vote_round": session.vote_round} if restarting else None,
        )
    return session


def _enter_phase(session: Session, phase: str) -> None:
    session.phase = phase
    # A timer belongs to the phase it was started in.
    session.timer_phase, session.timer_ends_at, session.timer_auto_advance = "", None, False
    if PHASE_ORDER.index(phase) >= PHASE_ORDER.index(Phase.GROUP):
        session.revealed = True  # grouping needs everyone's cards
    if phase == Phase.VOTE:
        if session.tallies_shown:
            _restart_vote(session)
        _group_the_rest(session)
    if PHASE_ORDER.index(phase) >= PHASE_ORDER.index(Phase.DISCUSS):
        # The vote is over for good: from now on tallies are shown and groups sorted by them.
        session.tallies_shown = True
    if phase == Phase.CLOSED:
        session.closed_at = timezone.now()
        CheckIn.objects.filter(session=session).delete()  # for the room, not the record (checkin.py)


def _restart_vote(session: Session) -> None:
    """Back to voting after the tallies were shown: a fresh vote. Otherwise a facilitator could
    step vote -> discuss -> vote and read the running tallies as people vote."""
    VoteMark.objects.filter(group__session=session).delete()
    Group.objects.filter(session=session).update(votes=0)
    Participant.objects.filter(session=session).update(votes_used=0)
    session.tallies_shown = False
    session.vote_round += 1


# An asynchronous session runs over days: when the deadline of its current phase passes, it
# moves on by itself, as far as discussion. Agreeing actions and closing need the facilitator,
# so the clock never moves a session into them.
PHASES_THAT_END_ON_THEIR_OWN = (Phase.PREPARE, Phase.REFLECT, Phase.GROUP, Phase.VOTE)


def _deadline_passed(session: Session, now: datetime) -> bool:
    deadline = (session.phase_deadlines or {}).get(session.phase)
    return bool(deadline) and datetime.fromisoformat(deadline) <= now


def _timer_ran_out(session: Session, now: datetime) -> bool:
    """A live session's auto-advancing timer for the current phase has run out."""
    return (
        session.mode == Mode.LIVE
        and session.timer_auto_advance
        and session.timer_phase == session.phase
        and session.timer_ends_at is not None
        and session.timer_ends_at <= now
    )


def _due(session: Session, now: datetime) -> bool:
    return session.phase in PHASES_THAT_END_ON_THEIR_OWN and (
        (session.mode == Mode.ASYNC and _deadline_passed(session, now)) or _timer_ran_out(session, now)
    )


def advance_if_due(session: Session, *, now: datetime | None = None) -> Session:
    """Move an asynchronous session past every phase whose deadline has passed (see above), and
    a live session one phase on when its auto-advancing timer ran out. Called when anyone looks
    at the session, and by `learnloop sessions advance` for the rest."""
    now = now or timezone.now()
    if not _due(session, now):
        return session
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        moved = False
        while _due(locked, now):
            phase = PHASE_ORDER[locked.phase_index + 1]
            _enter_phase(locked, phase)
            record_activity(verb=f"phase_{phase}", subject=locked, team=locked.team, data={"automatic": True})
            moved = True
        if moved:
            locked.save()
            Participant.objects.filter(session=locked).update(done_with="")
    # Keep what the caller already loaded (team, template, ...), with the new phase.
    session.phase, session.revealed, session.closed_at = locked.phase, locked.revealed, locked.closed_at
    session.tallies_shown, session.vote_round = locked.tallies_shown, locked.vote_round
    session.timer_phase, session.timer_ends_at = locked.timer_phase, locked.timer_ends_at
    session.timer_auto_advance = locked.timer_auto_advance
    return session


def advance_due_sessions(*, now: datetime | None = None) -> list[Session]:
    """Every asynchronous session whose phase deadline has passed, moved on; returns them."""
    now = now or timezone.now()
    moved = []
    waiting = Session.objects.filter(phase__in=PHASES_THAT_END_ON_THEIR_OWN).filter(
        Q(mode=Mode.ASYNC) | Q(timer_auto_advance=True, timer_ends_at__lte=now)
    )
    for session in waiting.order_by("pk"):
        before = session.phase
        if advance_if_due(session, now=now).phase != before:
            moved.append(session)
    return moved


def _group_the_rest(session: Session) -> None:
    """Votes go to groups: every card still on its own becomes a group of one."""
    for card in Card.objects.filter(session=session, group__isnull=True):
        card.group = Group.objects.create(session=session, title=_title_from(card.text))
        card.save(update_fields=["group"])


def _title_from(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:119].rsplit(" ", 1)[0] + "…"


def reveal(*, by, session: Session) -> Session:
    require(can_facilitate(by, session), gettext("Only the facilitator reveals the cards."))
    if not session.revealed:
        session.revealed = True
        session.save(update_fields=["revealed"])
        record_activity(verb="revealed", subject=session, actor=by, team=session.team)
    return session


def raise_anonymity(*, by, session: Session, anonymity: str) -> Session:
    """Hide more, never less. Cards already written lose what the new level doesn't keep, in
    the same transaction: authors when leaving named (each author's cards get one fresh alias),
    aliases when going anonymous."""
    require(can_facilitate(by, session), gettext("Only the facilitator changes the session's anonymity."))
    if anonymity not in Anonymity.values:
        raise ValidationError({"anonymity": gettext("Anonymity must be named, alias or anonymous.")})
    if ANONYMITY_RANK[anonymity] < ANONYMITY_RANK[session.anonymity]:
        raise ValidationError(
            {"anonymity": gettext("Anonymity can be raised, never lowered: people wrote trusting it.")}
        )
    if anonymity == session.anonymity:
        return session
    with transaction.atomic():
        session = Session.objects.select_for_update().get(pk=session.pk)
        cards = Card.objects.filter(session=session)
        if anonymity == Anonymity.ALIAS:
            aliases = _fresh_aliases(
                session,
                [
                    *cards.exclude(author=None).values_list("author_id", flat=True),
                    *CheckIn.objects.filter(session=session).exclude(author=None).values_list("author_id", flat=True),
                ],
            )
            for author_id, alias in aliases.items():
                cards.filter(author_id=author_id).update(author=None, alias=alias)
        else:
            aliases = {}
            cards.update(author=None, alias="")
        checkin.hide_authors(session, aliases, anonymity)
        session.anonymity = anonymity
        session.save(update_fields=["anonymity"])
        # Rows written while the session was named are in write order; re-insert them in a
        # random one, so that order can't be matched with an access log.
        reshuffle_cards(session)  # and their why-steps
        reshuffle_marks(session)
        record_activity(
            verb="anonymity_raised", subject=session, actor=by, team=session.team, data={"anonymity": anonymity}
        )
    return session


def _fresh_aliases(session: Session, author_ids) -> dict[int, str]:
    taken = set(Card.objects.filter(session=session).exclude(alias="").values_list("alias", flat=True))
    rng = secrets.SystemRandom()
    aliases = {}
    for author_id in sorted(set(author_ids), key=lambda _: rng.random()):
        alias = f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"
        while alias in taken:
            alias = f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"
        taken.add(alias)
        aliases[author_id] = alias
    return aliases


def set_vote_budget(*, by, session: Session, budget: int) -> Session:
    require(can_facilitate(by, session), gettext("Only the facilitator sets the vote budget."))
    if not 1 <= int(budget) <= 50:
        raise ValidationError({"vote_budget": gettext("Give each person between 1 and 50 votes.")})
    used = max(session.participants.values_list("votes_used", flat=True), default=0)
    if budget < used:
        raise ValidationError({"vote_budget": f"Someone has already used {used} votes; the budget can't go below."})
    session.vote_budget = budget
    session.save(update_fields=["vote_budget"])
    return session


def mark_done(*, by, session: Session) -> Participant:
    """ "I'm done with this phase": shown by name in named sessions, only as a count otherwise."""
    participant = join_session(by=by, session=session)
    participant.done_with = session.phase
    participant.save(update_fields=["done_with"])
    return participant
