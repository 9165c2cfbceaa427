"""A survey report's barrier diagnosis suggests the learning-practice playbooks tagged for it."""

from learnloop.knowledge import services
from learnloop.knowledge.models import Entry
from learnloop.knowledge.practice_library import import_library
from tests.factories import token_client
from tests.surveys.conftest import run_campaign


def report_barriers(org, campaign):
    client = token_client(org.lead)
    group = str(org.teams["Payments"].pk)
    return client.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report", {"group": group}).json()["group"]["barriers"]


def test_weak_barriers_suggest_playbooks_tagged_for_them_and_their_weak_dimensions(survey_org):
    import_library(by=survey_org.admin)
    campaign = run_campaign(survey_org, slug="learning-organization", levels={"Payments": 1})
    barriers = report_barriers(survey_org, campaign)
    weak = [barrier for barrier in barriers if barrier["weak_dimensions"]]
    assert {barrier["barrier"] for barrier in weak} == {"fear_of_failure", "leadership_support", "silos",
                                                       "time_and_resources"}
    for barrier in weak:
        assert barrier["practices"]
        for practice in barrier["practices"]:
            tags = set(Entry.objects.get(pk=practice["id"]).tags.values_list("name", flat=True))
            assert f"barrier:{barrier['barrier']}" in tags and "practice" in tags


def test_without_tagged_playbooks_the_report_falls_back_to_searching_for_the_barrier(survey_org):
    handover = services.create_entry(
        by=survey_org.admin, kind="playbook", title="Handover notes for knowledge sharing",
        body="Write the handover on the wiki before you change teams.",
    )
    campaign = run_campaign(survey_org, slug="learning-organization", levels={"Payments": 1})
    by_barrier = {barrier["barrier"]: barrier for barrier in report_barriers(survey_org, campaign)}
    assert [practice["id"] for practice in by_barrier["silos"]["practices"]] == [handover.pk]
