from learnloop.reflection import services
from learnloop.reflection.writer_keys import HEADER

JSON = "application/json"


def test_a_retro_through_the_api(api_as, team, facilitator, writer):
    fac, member = api_as(facilitator), api_as(writer)
    templates = {t["slug"]: t for t in fac.get("/api/v1/reflection/templates").json()["items"]}
    created = fac.post("/api/v1/reflection/sessions", {
        "team_id": team.pk, "template_id": templates["mad-sad-glad"]["id"], "title": "Q3 retro",
        "anonymity": "alias", "vote_budget": 2,
    }, content_type=JSON)
    assert created.status_code == 201, created.json()
    base = f"/api/v1/reflection/sessions/{created.json()['id']}"
    assert fac.post(f"{base}/phase", {"phase": "reflect"}, content_type=JSON).json()["phase"] == "reflect"
    key = member.post(f"{base}/join").json()["writer_key"]
    card = member.post(f"{base}/cards", {"column": "glad", "text": "Shipped on time"}, content_type=JSON,
                       headers={HEADER: key}).json()
    assert card["byline"] and card["byline"] != "Wren Writer"
    assert fac.get(f"{base}/status").json()["cards_written"] == 1
    fac.post(f"{base}/phase", {"phase": "group"}, content_type=JSON)
    group = member.post(f"{base}/groups", {"card_ids": [card["id"]], "title": "Delivery"}, content_type=JSON)
    assert group.status_code == 201 and group.json()["card_ids"] == [card["id"]]
    fac.post(f"{base}/phase", {"phase": "vote"}, content_type=JSON)
    target = {"group_id": group.json()["id"]}
    cast = member.post(f"{base}/votes", target, content_type=JSON, headers={HEADER: key})
    assert cast.status_code == 201 and cast.json() == {"votes_left": 1}
    assert member.get(f"{base}/groups").json()["items"][0]["votes"] is None  # tallies stay hidden while voting
    withdrawn = member.post(f"{base}/votes/withdraw", target, content_type=JSON, headers={HEADER: key})
    assert withdrawn.status_code == 200 and withdrawn.json() == {"votes_left": 2}
    member.post(f"{base}/votes", target, content_type=JSON, headers={HEADER: key})
    fac.post(f"{base}/phase", {"phase": "discuss"}, content_type=JSON)
    assert member.get(f"{base}/groups").json()["items"][0]["votes"] == 1
    lesson = fac.post(f"{base}/lessons", {"title": "Plan buffers", "group_id": group.json()["id"]}, content_type=JSON)
    assert lesson.status_code == 201
    action = fac.post(f"{base}/actions", {"title": "Add a buffer week", "owner_id": writer.pk}, content_type=JSON)
    assert action.status_code == 201 and action.json()["owner_id"] == writer.pk
    assert [a["title"] for a in member.get(f"{base}/actions").json()["items"]] == ["Add a buffer week"]


def test_anonymity_can_only_go_up_through_the_api(api_as, session, facilitator):
    fac = api_as(facilitator)
    base = f"/api/v1/reflection/sessions/{session.pk}"
    assert fac.post(f"{base}/anonymity", {"anonymity": "anonymous"}, content_type=JSON).json()["anonymity"] == \
        "anonymous"
    lowered = fac.post(f"{base}/anonymity", {"anonymity": "named"}, content_type=JSON)
    assert lowered.status_code == 400 and "never lowered" in lowered.json()["detail"]


def test_outsiders_get_404_and_bad_input_gets_a_message(api_as, session, outsider, facilitator):
    base = f"/api/v1/reflection/sessions/{session.pk}"
    assert api_as(outsider).get(base).status_code == 404
    fac = api_as(facilitator)
    unknown_field = fac.post(f"{base}/phase", {"phase": "reflect", "force": True}, content_type=JSON)
    assert unknown_field.status_code == 400
    skipping = fac.post(f"{base}/phase", {"phase": "discuss"}, content_type=JSON)
    assert skipping.status_code == 400 and skipping.json()["errors"]["phase"]
    not_a_card = fac.post(f"{base}/cards/delete", {"card_id": "not-a-uuid"}, content_type=JSON)
    assert not_a_card.status_code == 400 and not_a_card.json()["errors"]["card_id"]


def test_custom_templates_and_clones(api_as, team, facilitator, admin):
    fac = api_as(facilitator)
    body = {"name": "Payments weekly", "columns": [{"title": "Wins"}, {"title": "Worries", "prompt": "What?"}],
            "scope": "team", "team_id": team.pk}
    created = fac.post("/api/v1/reflection/templates", body, content_type=JSON)
    assert created.status_code == 201 and [c["key"] for c in created.json()["columns"]] == ["wins", "worries"]
    org_attempt = fac.post("/api/v1/reflection/templates", {**body, "scope": "organization", "team_id": None},
                           content_type=JSON)
    assert org_attempt.status_code == 403
    builtin = services.builtin_template("sailboat")
    clone = api_as(admin).post(f"/api/v1/reflection/templates/{builtin.pk}/clone", {"name": "Our sailboat"},
                               content_type=JSON)
    assert clone.status_code == 201 and clone.json()["scope"] == "organization"
    patched = api_as(admin).patch(f"/api/v1/reflection/templates/{clone.json()['id']}",
                                  {"columns": [{"title": "Wind"}]}, content_type=JSON)
    assert [c["title"] for c in patched.json()["columns"]] == ["Wind"]


def _list_queries(client) -> tuple[int, list]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/api/v1/reflection/sessions")
    assert response.status_code == 200
    return len(captured), response.json()["items"]


def test_the_session_list_says_which_sessions_are_weakly_anonymous_in_constant_queries(
    make_session, facilitator, writer, api_as
):
    from learnloop.reflection import services

    client = api_as(facilitator)

    def add(count):
        for _ in range(count):
            session = make_session(anonymity="anonymous")
            services.join_session(by=writer, session=session)

    add(1)
    _list_queries(client)  # the token's first use is recorded once; count what a list costs after that
    at_one, listed = _list_queries(client)
    assert [item["anonymity_weak"] for item in listed] == [True]  # the facilitator and one writer: 2 < 3
    add(9)
    at_ten, listed = _list_queries(client)
    assert len(listed) == 10 and all(item["anonymity_weak"] for item in listed)
    assert at_ten == at_one
