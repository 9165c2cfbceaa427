"""The strategy pages: every page opens, and the page forms call the same services."""

from datetime import timedelta

from django.urls import reverse

from learnloop.strategy import services, vision
from learnloop.strategy.models import Initiative, KeyResultValue
from tests.conftest import signed_in_client


def test_every_page_opens(org):
    objective = services.create_objective(by=org.lead, title="Goal", team=org.crew, starts_on=org.today,
                                          ends_on=org.today + timedelta(days=30))
    kr = services.add_key_result(by=org.lead, objective=objective, title="KR", target=1, metric_key="completion_rate")
    item = services.create_initiative(by=org.lead, title="Initiative", team=org.crew, starts_on=org.today,
                                      ends_on=org.today)
    team_vision = vision.create_vision(by=org.lead, title="Vision", draft="Text")
    vision.publish(by=org.lead, vision=team_vision)
    client = signed_in_client(org.members[0])
    for url in [reverse("strategy:home"), reverse("strategy:goals"), reverse("strategy:objective", args=[objective.pk]),
                reverse("strategy:key_result", args=[kr.pk]), reverse("strategy:roadmap"),
                reverse("strategy:roadmap") + f"?team={org.crew.slug}", reverse("strategy:initiative", args=[item.pk]),
                reverse("strategy:team", args=[org.crew.slug]), reverse("strategy:vision", args=[team_vision.pk]),
                reverse("strategy:vision_version", args=[team_vision.pk, 1]), reverse("strategy:champions")]:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("strategy:roadmap") + "?team=nope").status_code == 404


def test_plan_an_initiative_and_bad_input(org):
    client = signed_in_client(org.lead)
    answer = client.post(reverse("strategy:plan"), {
        "title": "Pairing", "team": org.crew.pk, "status": "planned", "starts_on": str(org.today),
        "ends_on": str(org.today - timedelta(days=1)), "budget_person_days": "3", "budget_money": "0",
        "budget_people": "1"})
    assert answer.status_code == 400 and "on or after the start" in answer.content.decode()
    answer = client.post(reverse("strategy:plan"), {
        "title": "Pairing", "team": org.crew.pk, "status": "planned", "starts_on": str(org.today),
        "ends_on": str(org.today), "budget_person_days": "3", "budget_money": "0", "budget_people": "1",
        "depends_on": "1,x"})
    assert answer.status_code == 400
    answer = client.post(reverse("strategy:plan"), {
        "title": "Pairing", "team": org.crew.pk, "status": "planned", "starts_on": str(org.today),
        "ends_on": str(org.today), "budget_person_days": "3", "budget_money": "0", "budget_people": "1"})
    assert answer.status_code == 302 and Initiative.objects.get().title == "Pairing"


def test_bind_through_the_page(org):
    objective = services.create_objective(by=org.lead, title="Goal", team=org.crew, starts_on=org.today,
                                          ends_on=org.today + timedelta(days=30))
    kr = services.add_key_result(by=org.lead, objective=objective, title="Manual", target=1)
    client = signed_in_client(org.facilitator)
    answer = client.post(reverse("strategy:bind", args=[kr.pk]), {"metric_key": "completion_rate",
                                                                  "window_days": "90"})
    assert answer.status_code == 302
    assert KeyResultValue.objects.get(key_result=kr).denominator == 3
    assert client.post(reverse("strategy:bind", args=[kr.pk]), {"metric_key": "completion_rate",
                                                                "window_days": "1"}).status_code == 400
