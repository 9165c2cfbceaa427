"""Barriers to learning from rows written by hand: behaviour over the last year, and the survey's
barrier diagnosis only for groups the disclosure gate released to the viewer."""

from datetime import timedelta

from django.test import Client

from learnloop.actions.models import Action
from learnloop.strategy import barriers, services
from tests.strategy.conftest import moment
from tests.surveys.conftest import run_campaign, survey_org  # noqa: F401 (survey_org is a fixture)


def _rules(found):
    return {item.barrier: sorted(finding.rule for finding in item.findings) for item in found}


def test_behaviour_barriers_follow_the_rows(org):
    today = org.today
    behaviour = barriers.behaviour_of([org.crew.pk], today=today)[org.crew.pk]
    # The fixture: actions with no due date in the past, three done in the year with their check answered.
    assert (behaviour.actions_fell_due, behaviour.actions_never_closed) == (0, 0)
    assert (behaviour.checks_due, behaviour.checks_answered) == (3, 3)

    for days in (40, 50):
        Action.objects.create(title=f"Stuck {days}", team=org.crew, created_by=org.facilitator,
                              created_at=moment(today - timedelta(days=days + 10)), due_on=today - timedelta(days=days))
    # Due 10 days ago: late, but not yet "never closed".
    Action.objects.create(title="Late", team=org.crew, created_by=org.facilitator,
                          created_at=moment(today - timedelta(days=20)), due_on=today - timedelta(days=10))
    for days in (3, 4, 5, 6):
        Action.objects.create(title=f"Unchecked {days}", team=org.crew, created_by=org.facilitator, status="done",
                              created_at=moment(today - timedelta(days=days + 5)),
                              closed_at=moment(today - timedelta(days=days)), check_on=today - timedelta(days=1))
    services.create_initiative(by=org.facilitator, title="Unfunded", team=org.crew, starts_on=today, ends_on=today)
    services.create_initiative(by=org.facilitator, title="Funded", team=org.crew, starts_on=today, ends_on=today,
                               budget_person_days=5)

    behaviour = barriers.behaviour_of([org.crew.pk], today=today)[org.crew.pk]
    assert (behaviour.actions_fell_due, behaviour.actions_never_closed) == (3, 2)
    assert (behaviour.checks_due, behaviour.checks_answered) == (7, 3)
    assert (behaviour.open_initiatives, behaviour.initiatives_without_budget) == (2, 1)
    found = barriers.barriers_for_teams([org.crew, org.other], viewer=org.lead, today=today)
    assert _rules(found[org.crew.pk]) == {
        "time_and_resources": ["actions_never_closed", "initiatives_without_budget"],
        "leadership_support": ["checks_unanswered"],
    }
    # The other team has no objective and no initiative; nothing else shows.
    assert _rules(found[org.other.pk]) == {"leadership_support": ["no_goal_or_initiative"]}
    # Last year's goal, not renewed, is no goal now; a current one is.
    last_year = services.create_objective(by=org.lead, title="Old goal", team=org.other,
                                          starts_on=today - timedelta(days=400), ends_on=today - timedelta(days=1))
    assert not barriers.behaviour_of([org.other.pk], today=today)[org.other.pk].has_objective
    services.update_objective(by=org.lead, objective=last_year, ends_on=today)
    assert barriers.behaviour_of([org.other.pk], today=today)[org.other.pk].has_objective


def test_cross_team_reuse_counts_on_both_sides(org):
    from learnloop.knowledge.models import Application, Entry

    lessons = [Entry.objects.create(kind="lesson", title=f"Lesson {n}", body="b", owner_team=org.crew,
                                    author=org.facilitator) for n in range(2)]
    found = barriers.behaviour_of([org.crew.pk, org.other.pk], today=org.today)
    assert found[org.crew.pk].lessons_written == 2 and found[org.crew.pk].lessons_applied_by_other_teams == 0
    Application.objects.create(entry=lessons[0], person=org.members[0])  # inside the team: not across
    Application.objects.create(entry=lessons[1], person=org.outsider)
    found = barriers.behaviour_of([org.crew.pk, org.other.pk], today=org.today)
    assert found[org.crew.pk].lessons_applied_by_other_teams == 1
    assert found[org.other.pk].other_teams_lessons_applied == 1
    assert found[org.crew.pk].other_teams_lessons_applied == 0


def test_survey_barriers_only_from_groups_released_to_the_viewer(survey_org):  # noqa: F811
    run_campaign(survey_org, levels={"Payments": 1})
    payments, search = survey_org.teams["Payments"], survey_org.teams["Search"]
    found = barriers.barriers_for_teams([payments, search], viewer=survey_org.admin)
    survey_rules = {item.barrier for item in found[payments.pk] for f in item.findings if f.source == "survey"}
    assert survey_rules  # every dimension is weak at level 1
    assert all("Spring pulse (released, 6 responses)" in f.evidence
               for item in found[payments.pk] for f in item.findings if f.source == "survey")
    # Search is below the threshold: withheld, so no survey finding even for an admin.
    assert not [f for item in found[search.pk] for f in item.findings if f.source == "survey"]
    # A member of another team may not see Payments' group: no survey finding for them either.
    outsider = survey_org.people["Platform"][0]
    theirs = barriers.barriers_for_teams([payments], viewer=outsider)[payments.pk]
    assert not [f for item in theirs for f in item.findings if f.source == "survey"]
    client = Client()
    client.force_login(outsider)
    body = client.get(f"/api/v1/strategy/teams/{payments.pk}/barriers").json()
    assert body["team_id"] == payments.pk
    assert all(f["source"] == "behaviour" for item in body["barriers"] for f in item["findings"])
    client.force_login(survey_org.admin)
    body = client.get(f"/api/v1/strategy/teams/{payments.pk}/barriers").json()
    assert any(f["source"] == "survey" for item in body["barriers"] for f in item["findings"])
    page = client.get(f"/strategy/teams/{payments.slug}/")
    assert page.status_code == 200 and "Barriers to learning" in page.content.decode()
    overview = client.get("/strategy/barriers/")
    assert overview.status_code == 200 and "Payments" in overview.content.decode()
