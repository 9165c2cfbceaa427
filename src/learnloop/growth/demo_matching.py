"""Demo mentor matching: offers from people strong in a few skills, requests from people who want
to learn them, a first round a month ago (most proposals accepted by both, one declined, then
closed) and an open round from this week with answers still coming in. All through the services,
dates from the demo clock; prose in demo_data/growth.yaml (matching)."""

from datetime import timedelta

from learnloop.growth import matching_services, services
from learnloop.growth.matching_models import ProposalStatus
from learnloop.org.models import OrgRole

MENTORS = 9
FIRST_MENTEES = 7
SECOND_MENTEES = 5


def build(context, *, data, people, held, skills) -> None:
    rng, clock = context.rng, context.clock
    notes = data["matching"]
    runner = next((p for p in people if p.role == OrgRole.LEARNING_LEAD),
                  next(p for p in people if p.role == OrgRole.ADMIN))
    strong = [p for p in people if sum(1 for level in held.get(p.pk, {}).values() if level >= 4) >= 1]
    mentors = sorted(rng.sample(strong, min(MENTORS, len(strong))), key=lambda p: p.pk)
    offered: set[str] = set()
    for mentor in mentors:
        names = sorted(name for name, level in held[mentor.pk].items() if level >= 4)[:3]
        offered.update(names)
        matching_services.offer_mentoring(by=mentor, skills=[skills[n] for n in names],
                                          capacity=rng.choice([1, 1, 2]), note=rng.choice(notes["offer_notes"]),
                                          at=clock.days_ago(rng.randint(50, 70)))
    if not offered:
        return
    mentor_ids = {m.pk for m in mentors}
    candidates = [p for p in people if p.pk not in mentor_ids and p.role != OrgRole.ADMIN]
    rng.shuffle(candidates)

    def ask(person, days_ago):
        mine = held.get(person.pk, {})
        wanted = [name for name in sorted(offered) if mine.get(name, 0) < 4]
        if not wanted:
            return
        chosen = rng.sample(wanted, min(len(wanted), rng.choice([1, 2, 2, 3])))
        matching_services.request_mentoring(
            by=person, wanted=[(skills[n], rng.choice([4, 4, 5])) for n in chosen],
            not_my_manager=rng.random() < 0.8, prefer_other_team=rng.random() < 0.3,
            note=rng.choice(notes["request_notes"]), at=clock.days_ago(days_ago))

    for person in candidates[:FIRST_MENTEES]:
        ask(person, rng.randint(40, 48))
    first = _run(runner, clock.days_ago(38))
    if first is None:
        return
    for number, proposal in enumerate(first.proposals.order_by("id")):
        day = clock.days_ago(rng.randint(31, 37))
        if number == 1:  # one mentee declines; they stay in the pool
            matching_services.answer_proposal(by=proposal.mentee, proposal=proposal, accept=False, at=day)
            continue
        matching_services.answer_proposal(by=proposal.mentee, proposal=proposal, accept=True, at=day)
        if number != 3:  # and one mentor never answered before the round closed
            matching_services.answer_proposal(by=proposal.mentor, proposal=proposal, accept=True,
                                              at=day + timedelta(hours=rng.randint(2, 30)))
    matching_services.close_round(by=runner, matching_round=first, at=clock.days_ago(30))
    for proposal in first.proposals.filter(pair__isnull=False).select_related("pair", "mentor", "mentee"):
        met = proposal.pair.started_at + timedelta(days=rng.randint(7, 20))
        services.add_note(by=rng.choice([proposal.mentor, proposal.mentee]), pair=proposal.pair,
                          body=rng.choice(data["mentoring"]["notes"]), met_on=met.date(), at=met)

    for person in candidates[FIRST_MENTEES:FIRST_MENTEES + SECOND_MENTEES]:
        ask(person, rng.randint(6, 12))
    second = _run(runner, clock.days_ago(3))
    if second is None:
        return
    for number, proposal in enumerate(second.proposals.filter(status=ProposalStatus.PROPOSED).order_by("id")):
        day = clock.days_ago(rng.choice([1, 2]))
        if number == 0:  # both said yes: a pair started this week
            matching_services.answer_proposal(by=proposal.mentor, proposal=proposal, accept=True, at=day)
            matching_services.answer_proposal(by=proposal.mentee, proposal=proposal, accept=True, at=day)
        elif number == 1:
            matching_services.answer_proposal(by=proposal.mentee, proposal=proposal, accept=True, at=day)
        elif number == 2:
            matching_services.answer_proposal(by=proposal.mentor, proposal=proposal, accept=True, at=day)


def _run(runner, at):
    """A round, when the pool has someone on both sides (other seeds may leave it empty)."""
    offers, _, requests = matching_services.pool()
    if not offers or not requests:
        return None
    return matching_services.run_round(by=runner, at=at, notify=False)
