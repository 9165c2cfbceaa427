"""Demo actions: a handful agreed in team meetings, one of each state, through the services.

Most demo actions come from the reflection demo's year of sessions (it creates them with these
same services and `at=`); these are the standalone ones a team writes down outside a retro.
A private random generator keeps them the same for a seed without shifting later modules' draws.
"""

import random
from datetime import timedelta

from learnloop.actions import services
from learnloop.demo.data import load_demo_data
from learnloop.org.models import Membership, TeamKind, TeamRole

TEAMS_WITH_ACTIONS = 4
_MEETINGS = load_demo_data("learnloop.actions", "meeting_actions.yaml")
# (title, what happens to it)
MEETING_ACTIONS = [(action["title"], action["fate"]) for action in _MEETINGS["actions"]]
EVIDENCE = _MEETINGS["evidence"]


def _teams_with_people(context):
    teams = sorted((team for team in context.teams.values() if team.kind == TeamKind.TEAM), key=lambda t: t.slug)
    for team in teams:
        memberships = list(Membership.objects.filter(team=team, person__is_active=True).select_related("person"))
        leads = [m.person for m in memberships if m.role == TeamRole.FACILITATOR]
        members = [m.person for m in memberships if m.role != TeamRole.FACILITATOR]
        if leads and members:
            yield team, leads[0], members


def build(context) -> None:
    rng = random.Random(f"actions-{context.seed}")
    today = context.clock.today
    created = []
    for number, (team, lead, members) in enumerate(_teams_with_people(context)):
        if number >= TEAMS_WITH_ACTIONS:
            break
        for title, fate in rng.sample(MEETING_ACTIONS, 3):
            owner = rng.choice(members)
            agreed = today - timedelta(days=rng.randint(20, 60), hours=-rng.randint(9, 16))
            due = (agreed + timedelta(days=rng.randint(10, 30))).date()
            if fate in {"open", "in_progress"}:
                due = (today + timedelta(days=rng.randint(3, 20))).date()
            elif fate == "overdue":
                due = (today - timedelta(days=rng.randint(2, 10))).date()
            action = services.create_action(
                by=lead, title=title, team=team, owner=owner, due_on=due, priority=rng.choice(["normal", "high"]),
                source_label="Team meeting", at=agreed,
            )
            closed = agreed + timedelta(days=rng.randint(5, 15))
            if fate == "in_progress":
                services.start_action(by=owner, action=action, at=agreed + timedelta(days=2))
            elif fate.startswith("done_") and fate != "done_check_later":
                effect = fate.removeprefix("done_")
                services.complete_action(by=owner, action=action, effect=effect, evidence=EVIDENCE.get(effect, ""),
                                         at=closed)
            elif fate == "done_check_later":
                services.complete_action(by=owner, action=action, check_on=(today + timedelta(days=14)).date(),
                                         at=closed)
            elif fate == "not_doing":
                services.decline_action(by=lead, action=action, reason="The new monitoring tool alerts us instead.",
                                        at=closed)
            if rng.random() < 0.5:
                services.add_comment(by=lead, action=action, body="Let's look at this in the next meeting.",
                                     at=agreed + timedelta(days=1))
            created.append(action)
    context.extra["meeting_actions"] = created
