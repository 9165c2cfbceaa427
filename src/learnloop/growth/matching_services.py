"""Writes for mentor matching rounds (docs/growth.md, "Matching rounds"): offers, requests, running
a round with the exact solver, and both sides' answers to a proposal.

The round's objective is the CLI's score (learnloop.analytics.mentor_matching) plus one preference
on top: a mentee who prefers another team adds CROSS_TEAM_BONUS to the fit of every mentor who
shares none of their teams. It is given to the solver as one more wanted "skill" (target 1, such
mentors hold it at the bonus), so the same exact solver maximizes it; the bonus never makes a pair
allowed on its own. "Not my manager" forbids pairs where the mentor leads one of the mentee's teams.
"""

import math
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from learnloop.analytics.mentor_matching import MatchingProblem, Mentee, Mentor, explain, pair_score, solve
from learnloop.growth import permissions
from learnloop.growth.matching_models import (
    MAX_CAPACITY,
    Answer,
    MatchingRound,
    MatchProposal,
    MenteeRequest,
    MentorOffer,
    OpenStatus,
    ProposalStatus,
    RoundStatus,
    WantedSkill,
)
from learnloop.growth.models import MentoringPair, PairStatus, Skill, SkillStatus
from learnloop.growth.selectors import effective_levels
from learnloop.org.membership import is_active_person, member_team_ids, team_access
from learnloop.org.models import Membership

CROSS_TEAM_BONUS = 0.25
MAX_WANTED = 8
NOTE_MAX = 2000
MAX_AVAILABILITY_DAYS = 366


def _actor(by) -> None:
    if not is_active_person(by):
        raise ValidationError("Sign in as an active person to do this.")


def _note(value) -> str:
    value = str(value or "").strip()
    if len(value) > NOTE_MAX:
        raise ValidationError({"note": f"Keep it under {NOTE_MAX} characters."})
    return value


def _active_skills(skills, field: str) -> list[Skill]:
    skills = list(dict.fromkeys(skills))
    for skill in skills:
        if skill.status != SkillStatus.ACTIVE:
            status = skill.get_status_display().lower()
            raise ValidationError({field: f"{skill.name} is {status}: pick an active skill."})
    return skills


# --- offers and requests ----------------------------------------------------------------------------


def _available_from(value, *, at: datetime | None = None):
    """None (now) or a day within the next year: the first day a round may include it."""
    if value is None:
        return None
    today = timezone.localdate(at) if at else timezone.localdate()
    if value > today + timedelta(days=MAX_AVAILABILITY_DAYS):
        raise ValidationError({"available_from": "Give a day within the next year, or none for now."})
    return value if value > today else None


def offer_mentoring(*, by, skills, capacity: int, note: str = "", at: datetime | None = None,
                    available_from=None) -> MentorOffer:
    """Offer to mentor in `skills` for up to `capacity` mentees at a time; replaces your open offer.
    The round reads your level in each skill from your profile, so each needs a rating first."""
    _actor(by)
    skills = _active_skills(skills, "skills")
    if not skills:
        raise ValidationError({"skills": "Pick at least one skill you can mentor in."})
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError({"capacity": f"Say how many mentees at once: 1 to {MAX_CAPACITY}."})
    levels = effective_levels([by.pk])
    unrated = [s.name for s in skills if (by.pk, s.pk) not in levels]
    if unrated:
        raise ValidationError({"skills": "Rate yourself on your profile first in: " + ", ".join(unrated)
                               + " (the matching reads your level there)."})
    with transaction.atomic():
        previous = list(MentorOffer.objects.filter(person=by, status=OpenStatus.OPEN).values_list("pk", flat=True))
        MentorOffer.objects.filter(pk__in=previous).update(status=OpenStatus.WITHDRAWN)
        offer = MentorOffer.objects.create(person=by, capacity=capacity, note=_note(note),
                                           available_from=_available_from(available_from, at=at),
                                           created_at=at or timezone.now())
        offer.skills.set(skills)
        # Proposals waiting for answers stand: they now belong to the changed offer.
        MatchProposal.objects.filter(offer_id__in=previous, status=ProposalStatus.PROPOSED).update(offer=offer)
    return offer


def request_mentoring(*, by, wanted, not_my_manager: bool = True, prefer_other_team: bool = False,
                      note: str = "", at: datetime | None = None, available_from=None) -> MenteeRequest:
    """Ask for a mentor: `wanted` is [(skill, target level)]; replaces your open request."""
    _actor(by)
    wanted = list(wanted)
    if not wanted:
        raise ValidationError({"wanted": "Pick at least one skill you want to learn."})
    if len(wanted) > MAX_WANTED:
        raise ValidationError({"wanted": f"Pick at most {MAX_WANTED} skills."})
    skills = _active_skills([skill for skill, _ in wanted], "wanted")
    if len(skills) != len(wanted):
        raise ValidationError({"wanted": "Name each skill once."})
    for skill, target in wanted:
        if not isinstance(target, int) or isinstance(target, bool) or not 1 <= target <= skill.max_level:
            raise ValidationError({"wanted": f"Pick a target level from 1 to {skill.max_level} for {skill.name}."})
    with transaction.atomic():
        previous = MenteeRequest.objects.filter(person=by, status=OpenStatus.OPEN)
        # A proposal made for the old wishes expires: the person is back in the pool with the new ones.
        MatchProposal.objects.filter(request__in=previous, status=ProposalStatus.PROPOSED).update(
            status=ProposalStatus.EXPIRED)
        previous.update(status=OpenStatus.WITHDRAWN)
        request = MenteeRequest.objects.create(person=by, note=_note(note), not_my_manager=bool(not_my_manager),
                                               prefer_other_team=bool(prefer_other_team),
                                               available_from=_available_from(available_from, at=at),
                                               created_at=at or timezone.now())
        WantedSkill.objects.bulk_create([WantedSkill(request=request, skill=skill, target_level=target)
                                         for skill, target in wanted])
    return request


def withdraw(*, by, item: MentorOffer | MenteeRequest) -> MentorOffer | MenteeRequest:
    """Withdraw your own offer or request (a pending proposal made from it expires)."""
    _actor(by)
    permissions.require(item.person_id == by.pk, "Only the person withdraws their own offer or request.")
    if item.status != OpenStatus.OPEN:
        raise ValidationError("It is not open any more.")
    with transaction.atomic():
        item.status = OpenStatus.WITHDRAWN
        item.save(update_fields=["status"])
        side = {"offer": item} if isinstance(item, MentorOffer) else {"request": item}
        MatchProposal.objects.filter(status=ProposalStatus.PROPOSED, **side).update(status=ProposalStatus.EXPIRED)
    return item


# --- rounds -------------------------------------------------------------------------------------------


def _room(offers) -> dict[int, int]:
    """offer id → how many more mentees its mentor can take: capacity minus active pairs as mentor
    and proposals still waiting for answers."""
    people = [o.person_id for o in offers]
    active = dict(MentoringPair.objects.filter(mentor_id__in=people, status=PairStatus.ACTIVE)
                  .values("mentor_id").annotate(n=Count("id")).values_list("mentor_id", "n"))
    waiting = dict(MatchProposal.objects.filter(mentor_id__in=people, status=ProposalStatus.PROPOSED)
                   .values("mentor_id").annotate(n=Count("id")).values_list("mentor_id", "n"))
    return {o.pk: o.capacity - active.get(o.person_id, 0) - waiting.get(o.person_id, 0) for o in offers}


def pool(*, on: date | None = None):
    """The open offers with room and the open requests without a pending proposal, as a round run
    `on` that day (default today) would take them: those not available before a later day wait."""
    on = on or timezone.localdate()
    available = Q(available_from__isnull=True) | Q(available_from__lte=on)
    offers = list(MentorOffer.objects.filter(available, status=OpenStatus.OPEN, person__is_active=True)
                  .select_related("person").prefetch_related("skills").order_by("created_at", "id"))
    room = _room(offers)
    offers = [o for o in offers if room[o.pk] > 0]
    waiting = MatchProposal.objects.filter(status=ProposalStatus.PROPOSED).values("request_id")
    requests = list(MenteeRequest.objects.filter(available, status=OpenStatus.OPEN, person__is_active=True)
                    .exclude(pk__in=waiting).select_related("person")
                    .prefetch_related("wanted__skill").order_by("created_at", "id"))
    requests = [r for r in requests if any(w.skill.status == SkillStatus.ACTIVE for w in r.wanted.all())]
    return offers, room, requests


def _forbidden(offers, requests) -> set[tuple[int, int]]:
    """(mentor id, mentee id) pairs the round must not propose: already paired, declined before,
    or the mentor leads the mentee and the mentee asked not to be matched with their manager."""
    mentors = {o.person_id for o in offers}
    mentees = {r.person_id for r in requests}
    forbidden = set(MentoringPair.objects.filter(status=PairStatus.ACTIVE, mentor_id__in=mentors,
                                                 mentee_id__in=mentees).values_list("mentor_id", "mentee_id"))
    forbidden |= set(MatchProposal.objects.filter(status=ProposalStatus.DECLINED, mentor_id__in=mentors,
                                                  mentee_id__in=mentees).values_list("mentor_id", "mentee_id"))
    led = {o.person_id: team_access(o.person).led for o in offers}
    for request in requests:
        if request.not_my_manager:
            teams = set(member_team_ids(request.person))
            forbidden |= {(mentor, request.person_id) for mentor, their in led.items() if their & teams}
    return forbidden


def _teams_of(people) -> dict[int, frozenset]:
    teams: dict[int, set] = {p: set() for p in people}
    for person_id, team_id in Membership.objects.filter(person_id__in=list(people)).values_list("person_id",
                                                                                                "team_id"):
        teams[person_id].add(team_id)
    return {p: frozenset(t) for p, t in teams.items()}


def build_problem(offers, requests) -> tuple[MatchingProblem, MatchingProblem, dict]:
    """(the CLI's problem, the round's problem with preferences, teams by person). Mentors and
    mentees are named by person id; skills by "skill:<id>" (and "another team:<ids>" for the
    preference), so two skills with similar names never mix."""
    levels = effective_levels({o.person_id for o in offers})
    room = _room(offers)
    teams = _teams_of({o.person_id for o in offers} | {r.person_id for r in requests})
    mentors = [Mentor(o.person_id, room[o.pk], {f"skill:{s.pk}": float(levels[(o.person_id, s.pk)])
                                                for s in o.skills.all() if (o.person_id, s.pk) in levels})
               for o in offers]
    mentees = [Mentee(r.person_id, {f"skill:{w.skill_id}": float(w.target_level) for w in r.wanted.all()
                                    if w.skill.status == SkillStatus.ACTIVE}) for r in requests]
    forbidden = _forbidden(offers, requests)
    plain = MatchingProblem(tuple(mentors), tuple(mentees), frozenset(forbidden))
    preferring = {r.person_id for r in requests if r.prefer_other_team}
    if not preferring:
        return plain, plain, teams
    extended_mentees, extended_forbidden = [], set(forbidden)
    bonus_keys = {}
    for mentee in mentees:
        if mentee.id in preferring:
            key = "another team:" + ",".join(str(t) for t in sorted(teams[mentee.id]))
            bonus_keys[key] = teams[mentee.id]
            extended_mentees.append(Mentee(mentee.id, {**mentee.wants, key: 1.0}))
            # The bonus alone must not make a pair allowed: forbid mentors sharing no real skill.
            extended_forbidden |= {(m.id, mentee.id) for m in mentors if pair_score(m, mentee) <= 0}
        else:
            extended_mentees.append(mentee)
    extended_mentors = [Mentor(m.id, m.capacity, {**m.skills, **{key: CROSS_TEAM_BONUS for key, their in
                                                                 bonus_keys.items() if not teams[m.id] & their}})
                        for m in mentors]
    return plain, MatchingProblem(tuple(extended_mentors), tuple(extended_mentees), frozenset(extended_forbidden)), \
        teams


def run_round(*, by, at: datetime | None = None, notify: bool = True) -> MatchingRound:
    """Match the pool (open offers with room, open requests not waiting on a proposal) and propose
    each pair to both people (emailed unless notify=False, as the demo does). Only learning leads
    and admins run a round."""
    _actor(by)
    permissions.require(permissions.sees_everyone(by), "Only learning leads and admins run a matching round.")
    now = at or timezone.now()
    with transaction.atomic():
        # Two rounds run at once would both propose the same people: the second waits here, then
        # finds the first one's proposals waiting and leaves those people out.
        list(MentorOffer.objects.select_for_update().filter(status=OpenStatus.OPEN).values_list("pk", flat=True))
        offers, _, requests = pool(on=timezone.localdate(now))
        if not offers or not requests:
            raise ValidationError("Nothing to match: a round needs at least one open mentor offer with room and "
                                  "one open mentee request.")
        plain, preferred, teams = build_problem(offers, requests)
        result = solve(preferred)
        mentors = {m.id: m for m in plain.mentors}
        mentees = {m.id: m for m in plain.mentees}
        offer_of = {o.person_id: o for o in offers}
        request_of = {r.person_id: r for r in requests}
        names = {f"skill:{w.skill_id}": w.skill.name for r in requests for w in r.wanted.all()}
        proposals = []
        for pair in result.pairs:
            mentor, mentee = mentors[pair.mentor], mentees[pair.mentee]
            why = explain(mentor, mentee)
            cross = not teams[mentor.id] & teams[mentee.id]
            text = why.text + (": " + ", ".join(names[s] for s in why.matched) if why.matched else "")
            proposals.append(MatchProposal(
                offer=offer_of[mentor.id], request=request_of[mentee.id], mentor_id=mentor.id, mentee_id=mentee.id,
                score=pair_score(mentor, mentee), cross_team=cross,
                explanation=(text + ("; cross-team" if cross else ""))[:300]))
        matching_round = MatchingRound.objects.create(
            run_by=by, mentor_count=len(offers), mentee_count=len(requests),
            total_score=math.fsum(p.score for p in proposals), ran_at=now)
        for proposal in proposals:
            proposal.round = matching_round
        MatchProposal.objects.bulk_create(proposals)
        created = list(matching_round.proposals.values_list("pk", flat=True))
        if notify:
            transaction.on_commit(lambda: _notify(created))
    return matching_round


def _notify(proposal_ids) -> None:
    from learnloop.growth import tasks

    for proposal_id in proposal_ids:
        tasks.send_proposal_email.enqueue(proposal_id)


def close_round(*, by, matching_round: MatchingRound, at: datetime | None = None) -> MatchingRound:
    """Close a round: proposals still waiting for an answer expire and their people return to the pool."""
    _actor(by)
    permissions.require(permissions.sees_everyone(by), "Only learning leads and admins close a matching round.")
    if matching_round.status != RoundStatus.OPEN:
        raise ValidationError("This round is already closed.")
    with transaction.atomic():
        matching_round.proposals.filter(status=ProposalStatus.PROPOSED).update(status=ProposalStatus.EXPIRED)
        matching_round.status, matching_round.closed_at = RoundStatus.CLOSED, at or timezone.now()
        matching_round.save(update_fields=["status", "closed_at"])
    return matching_round


def answer_proposal(*, by, proposal: MatchProposal, accept: bool, at: datetime | None = None) -> MatchProposal:
    """The mentor or the mentee answers for themselves. A decline (no reason asked) ends the
    proposal and both go back to the pool; the pair starts when the second side accepts."""
    _actor(by)
    permissions.require(by.pk in (proposal.mentor_id, proposal.mentee_id),
                        "Only the proposed mentor and mentee answer for themselves.")
    now = at or timezone.now()
    with transaction.atomic():
        # Locked, so two answers arriving together see each other and start the pair once.
        proposal = MatchProposal.objects.select_for_update().select_related("request").get(pk=proposal.pk)
        if proposal.status != ProposalStatus.PROPOSED:
            raise ValidationError(f"This proposal is {proposal.get_status_display().lower()}: nothing to answer.")
        answer = Answer.ACCEPTED if accept else Answer.DECLINED
        if by.pk == proposal.mentor_id:
            proposal.mentor_answer = answer
        else:
            proposal.mentee_answer = answer
        if answer == Answer.DECLINED:
            proposal.status = ProposalStatus.DECLINED
        elif proposal.mentor_answer == proposal.mentee_answer == Answer.ACCEPTED:
            proposal.pair = _start_pair(proposal, by=by, at=now)
            proposal.status = ProposalStatus.PAIRED
        proposal.save(update_fields=["mentor_answer", "mentee_answer", "status", "pair"])
    return proposal


def _start_pair(proposal: MatchProposal, *, by, at) -> MentoringPair:
    if MentoringPair.objects.filter(mentor_id=proposal.mentor_id, mentee_id=proposal.mentee_id,
                                    status=PairStatus.ACTIVE).exists():
        raise ValidationError("These two are already a mentoring pair.")
    request = proposal.request
    pair = MentoringPair.objects.create(mentor_id=proposal.mentor_id, mentee_id=proposal.mentee_id,
                                        goals=request.note, created_by=by, started_at=at)
    request.status = OpenStatus.MATCHED
    request.save(update_fields=["status"])
    return pair

