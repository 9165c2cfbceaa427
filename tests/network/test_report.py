"""The network app: edges from platform data (typed, dated, directed the way knowledge went),
anonymous contributions never producing one, the team report under the disclosure threshold,
who may see what, and an attack that tries to read one person's ties from team-level reports."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from learnloop.network import selectors, services
from tests import factories

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 2)
PERIOD = (date(2026, 1, 1), date(2026, 7, 1))


def moment(day):
    return timezone.make_aware(datetime.combine(day, time(12)))


@pytest.fixture
def org():
    from learnloop.knowledge.models import Entry, Tag
    from learnloop.reflection import services as reflection
    from learnloop.reflection.models import Card, Participant, Session

    teams = {name: factories.team(name=name) for name in ("Alpha", "Beta", "Gamma", "Solo")}
    people = {}
    for name, size in (("Alpha", 6), ("Beta", 5), ("Gamma", 5), ("Solo", 2)):
        for number in range(size):
            person = factories.person(full_name=f"{name} {number}", email=f"{name.lower()}{number}@example.org")
            factories.membership(person, teams[name], role="facilitator" if number == 0 else "member")
            people[f"{name[0].lower()}{number}"] = person
    admin = factories.person(full_name="Ada Admin", role="admin")
    lead = factories.person(full_name="Lee Lead", role="learning_lead")

    def lesson(author, title, team, tags=()):
        entry = Entry.objects.create(kind="lesson", title=title, body="b", author=author, owner_team=team,
                                     created_at=moment(DAY), updated_at=moment(DAY), last_verified_at=moment(DAY),
                                     review_due_at=moment(DAY))
        for tag in tags:
            entry.tags.add(Tag.objects.get_or_create(name=tag)[0])
        return entry

    alpha_lesson = lesson(people["a0"], "Roll back first", teams["Alpha"], ["deploys", "testing"])
    lesson(people["g1"], "Canary everything", teams["Gamma"], ["deploys", "testing"])
    solo_lesson = lesson(people["s0"], "Small team trick", teams["Solo"])
    alpha_lesson.applications.create(person=people["b0"], applied_on=DAY)  # a0 → b0 (reuse)
    question = Entry.objects.create(kind="question", title="How to canary?", body="?", author=people["b1"],
                                    owner_team=teams["Beta"],
                                    created_at=moment(DAY), updated_at=moment(DAY), last_verified_at=moment(DAY),
                                    review_due_at=moment(DAY))
    question.answers.create(author=people["a2"], body="Like this", created_at=moment(DAY))  # a2 → b1 (answer)
    template = reflection.builtin_template("start-stop-continue")
    named = Session.objects.create(team=teams["Alpha"], template=template, title="Named retro",
                                   facilitator=people["a0"], held_on=DAY)
    for key in ("a0", "a1", "a3"):
        Participant.objects.create(session=named, person=people[key])
    anonymous = Session.objects.create(team=teams["Beta"], template=template, title="Anonymous retro",
                                       facilitator=people["b0"], held_on=DAY, anonymity="anonymous")
    for key in ("b3", "g3"):
        Participant.objects.create(session=anonymous, person=people[key])
    for number in range(2):
        Card.objects.create(session=anonymous, column="start", text=f"Card {number}", author=None,
                            writer_hash=f"{number}" * 64, shuffle_key=number)
    return {"teams": teams, "people": people, "admin": admin, "lead": lead, "solo_lesson": solo_lesson}


def by_kind(edges):
    found = {}
    for edge in edges:
        found.setdefault(edge.kind, set()).add((edge.source, edge.target))
    return found


def test_edges_are_typed_dated_and_point_the_way_knowledge_went(org):
    p = org["people"]
    edges = selectors.platform_edges(*PERIOD)
    kinds = by_kind(edges)
    assert kinds["reuse"] == {(p["a0"].pk, p["b0"].pk)}
    assert kinds["answer"] == {(p["a2"].pk, p["b1"].pk)}
    assert kinds["session"] == {(a.pk, b.pk) for a in (p["a0"], p["a1"], p["a3"])
                                for b in (p["a0"], p["a1"], p["a3"]) if a != b}
    assert all(edge.on == DAY for edge in edges)
    assert {edge.weight for edge in edges if edge.kind == "session"} == {0.5}
    assert selectors.platform_edges(date(2026, 4, 1), date(2026, 5, 1)) == []


def test_a_mentoring_pair_is_an_edge_from_mentor_to_mentee_and_its_notes_are_not_read(org):
    from learnloop.growth.models import MentoringPair

    p = org["people"]
    pair = MentoringPair.objects.create(mentor=p["g0"], mentee=p["b2"], created_by=p["b2"], started_at=moment(DAY),
                                        goals="Private goals")
    pair.notes.create(author=p["g0"], met_on=DAY, body="Private note")
    edges = [edge for edge in selectors.platform_edges(*PERIOD) if edge.kind == "mentoring"]
    assert [(edge.source, edge.target, edge.on, edge.weight) for edge in edges] == [(p["g0"].pk, p["b2"].pk, DAY, 1.0)]


def test_anonymous_contributions_never_produce_edges(org):
    p = org["people"]
    touched = {person for edge in selectors.platform_edges() for person in (edge.source, edge.target)}
    # b3 and g3 only took part in an anonymous session and its cards carry no author.
    assert p["b3"].pk not in touched and p["g3"].pk not in touched


def test_teams_meeting_the_same_recurring_theme_with_few_ties_should_talk(org):
    from learnloop.insights.themes_models import Theme, ThemeItem

    teams = org["teams"]

    def texts(theme, team, count):
        for _ in range(count):
            key = f"action:{ThemeItem.objects.count() + 1}"
            ThemeItem.objects.create(theme=theme, source="action", ref=key, key=key, text="Deploy failed",
                                     team=teams[team], on=DAY)

    def pairs(period=PERIOD):
        return {tuple(pair["teams"]): pair for pair in services.team_report(org["lead"], *period).should_talk}

    flaky = Theme.objects.create(label="flaky deploys")
    notes = Theme.objects.create(label="release notes")
    retired = Theme.objects.create(label="old news", retired_at=moment(DAY))
    texts(flaky, "Beta", 2)
    texts(flaky, "Gamma", 2)
    texts(flaky, "Alpha", 1)  # one text: not recurring in Alpha
    texts(notes, "Alpha", 2)
    texts(notes, "Beta", 2)
    texts(retired, "Beta", 2)
    texts(retired, "Gamma", 2)
    found = pairs()
    assert found[("Beta", "Gamma")] == {"teams": ["Beta", "Gamma"], "shared_themes": [],
                                        "recurring_themes": ["flaky deploys"], "ties": 0.0}
    # Alpha and Beta meet "release notes", but their ties weigh 2 (a reuse and an answer): not "few".
    assert ("Alpha", "Beta") not in found
    assert "old news" not in str(found)  # retired themes don't count
    outside = pairs((date(2026, 4, 1), date(2026, 5, 1)))  # the texts are not in this period
    assert not any(pair["recurring_themes"] for pair in outside.values())
    # A theme recurring in more than half the teams is the organization's, not a pair's.
    texts(flaky, "Alpha", 1)
    assert ("Beta", "Gamma") not in pairs()


def test_the_report_shows_team_flows_silos_and_pairs_that_should_talk(org):
    report = services.team_report(org["lead"], *PERIOD)
    names = [team["name"] for team in report.teams]
    assert names == ["Alpha", "Beta", "Gamma"]  # Solo (2 people) is below k = 5 and alone: left out
    assert report.withheld_teams == 1
    alpha = report.teams[0]
    assert alpha["exported"] == 2.0 and alpha["imported"] == 0.0 and alpha["reach"] == 1
    assert report.matrix[0][1] == 2.0 and report.matrix[0][0] == pytest.approx(3.0)
    silos = {silo["team"]: silo for silo in report.silos}
    assert silos["Alpha"]["imports_none"] and silos["Gamma"]["exports_none"] and silos["Gamma"]["imports_none"]
    assert report.should_talk == [{"teams": ["Alpha", "Gamma"], "shared_themes": ["deploys", "testing"],
                                   "recurring_themes": [], "ties": 0.0}]
    # Beta's ties with Alpha run through two people on Beta's side, two on Alpha's.
    assert report.only_bridges == []
    assert report.champions is None and report.bridge_people is None  # names are for admins
    assert report.people_map is None
    admin_view = services.team_report(org["admin"], *PERIOD)
    assert [row["person"] for row in admin_view.champions] == ["Alpha 0", "Alpha 2"]
    mapped = admin_view.people_map
    assert {node["name"] for node in mapped["nodes"]} == {"Alpha 0", "Alpha 1", "Alpha 2", "Alpha 3", "Beta 0",
                                                          "Beta 1"}
    assert len(mapped["links"]) == 5  # three inside the named session, the reuse, the answer


def test_one_person_carrying_a_pair_of_teams_is_a_team_level_finding(org):
    from learnloop.knowledge.models import Entry

    entry = Entry.objects.get(title="Canary everything")
    entry.applications.create(person=org["people"]["b2"], applied_on=DAY)
    entry.applications.create(person=org["people"]["b3"], applied_on=DAY)
    report = services.team_report(org["lead"], *PERIOD)
    assert {"team": "Gamma", "other_team": "Beta"} in report.only_bridges
    assert all("person" not in finding for finding in report.only_bridges)
    bridges = services.team_report(org["admin"], *PERIOD).bridge_people
    assert {"person": "Gamma 1", "only_bridge_to": ["Beta"]} in bridges


def _everything_shown(report) -> dict:
    shown = dict(report.__dict__)
    assert shown.pop("champions") is None and shown.pop("bridge_people") is None and shown.pop("people_map") is None
    return shown


def test_attack_a_small_team_member_s_ties_cannot_be_read_from_team_reports(org):
    """An attacker (a learning lead who may read every team report, in any period) tries to learn
    whether Solo 0 — in a team of two, below the threshold — passed knowledge to Alpha 1 and Beta 4:
    every figure they can see is the same whether those ties exist or not."""
    before = [_everything_shown(services.team_report(org["lead"], *period))
              for period in (PERIOD, (date(2026, 3, 1), date(2026, 3, 3)), (date(2025, 7, 1), date(2026, 7, 1)))]
    org["solo_lesson"].applications.create(person=org["people"]["a1"], applied_on=DAY)
    org["solo_lesson"].applications.create(person=org["people"]["b4"], applied_on=DAY)
    from learnloop.knowledge.models import Entry

    Entry.objects.filter(title="How to canary?").first().answers.create(author=org["people"]["s1"], body="Also",
                                                                        created_at=moment(DAY))
    after = [_everything_shown(services.team_report(org["lead"], *period))
             for period in (PERIOD, (date(2026, 3, 1), date(2026, 3, 3)), (date(2025, 7, 1), date(2026, 7, 1)))]
    assert before == after


def test_small_teams_are_pooled_when_the_pool_is_large_enough(org):
    extra = factories.team(name="Duo")
    for number in range(3):
        factories.membership(factories.person(full_name=f"Duo {number}"), extra)
    org["solo_lesson"].applications.create(person=org["people"]["a1"], applied_on=DAY)
    report = services.team_report(org["lead"], *PERIOD)
    assert [team["name"] for team in report.teams][-1] == services.POOLED_NAME
    pooled = report.teams[-1]
    assert pooled["members"] == 5 and pooled["exported"] == 1.0
    assert report.withheld_teams == 2


def test_who_sees_what(client, org):
    p = org["people"]
    client.force_login(p["b2"])  # a member who leads nothing
    assert client.get("/network/").status_code == 403
    page = client.get("/network/me/")
    assert page.status_code == 200 and b"Your knowledge network" in page.content
    client.force_login(p["b0"])  # Beta's facilitator
    page = client.get("/network/")
    assert page.status_code == 200 and b"Team \xc3\x97 team flows" in page.content
    assert b"Suggested champions" not in page.content and b"Alpha 0</td>" not in page.content
    # The facilitator's map is of teams: nodes are the released teams, drawn from the matrix.
    chart = page.context["chart"]
    assert b'data-chart="team-map"' in page.content and b'data-chart="people-map"' not in page.content
    assert chart["people"] is None and chart["teams"] == ["Alpha", "Beta", "Gamma"]
    assert chart["members"] == [6, 5, 5] and len(chart["matrix"]) == 3
    assert not any(person.full_name.encode() in page.content for person in p.values())
    client.force_login(org["admin"])
    assert b"Suggested champions" in client.get("/network/").content
    me = client.get("/network/me/").content
    assert b"Alpha" not in me  # the admin's own view: they have no ties


def test_a_person_sees_their_own_ties(client, org):
    client.force_login(org["people"]["b0"])
    page = client.get("/network/me/", {"since": "2026-01-01", "until": "2026-07-01"})
    assert b"Alpha 0" in page.content  # b0 reused Alpha 0's lesson
    view = services.person_view(org["people"]["a0"], org["people"]["a0"], *PERIOD)
    assert [tie["person"] for tie in view["gave_to"]] == ["Beta 0", "Alpha 1", "Alpha 3"]
    assert view["teams_reached"] == 1
    with pytest.raises(services.PermissionDenied):
        services.person_view(org["people"]["a1"], org["people"]["a0"], *PERIOD)
    assert services.person_view(org["admin"], org["people"]["a0"], *PERIOD)["teams_reached"] == 1


def test_bad_periods_are_form_errors_not_500s(client, org):
    client.force_login(org["lead"])
    response = client.get("/network/", {"since": "2026-05-01", "until": "2026-01-01"})
    assert response.status_code == 200 and b"must start before it ends" in response.content
    assert client.get("/network/", {"since": "yesterday"}).status_code == 200


def test_api(org):
    lead = factories.token_client(org["lead"])
    answer = lead.get("/api/v1/network/report", {"since": "2026-01-01", "until": "2026-07-01"})
    assert answer.status_code == 200
    body = answer.json()
    assert [team["name"] for team in body["teams"]] == ["Alpha", "Beta", "Gamma"] and body["champions"] is None
    assert lead.get("/api/v1/network/report", {"since": "2026-05-01", "until": "2026-01-01"}).status_code == 400
    member = factories.token_client(org["people"]["b2"])
    assert member.get("/api/v1/network/report").status_code == 403
    mine = factories.token_client(org["people"]["b0"]).get("/api/v1/network/me",
                                                             {"since": "2026-01-01", "until": "2026-07-01"})
    assert mine.status_code == 200 and mine.json()["learned_from"][0]["person"] == "Alpha 0"


def test_the_organization_s_anonymity_threshold_applies(org):
    factories.organization(anonymity_threshold=6)
    report = services.team_report(org["lead"], *PERIOD)
    assert report.k == 6
    assert [team["name"] for team in report.teams] == ["Alpha", services.POOLED_NAME]  # Beta, Gamma, Solo pooled
    assert report.teams[1]["members"] == 12 and report.withheld_teams == 3
