"""The survey pages and their API read a constant number of queries however much data there is:
the report at 24 and 240 respondents (1x and 10x), trends and the campaign lists at 3 and 30
campaigns, with the report cache cold and warm; and a report request reads what its parts share
only once."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learnloop.surveys import release, tasks
from learnloop.surveys.attributes import TENURE_BANDS
from learnloop.surveys.models import Campaign, CampaignStatus, Instrument, Invitation, ItemKind, Response
from tests.conftest import signed_in_client

LEAF_TEAMS = ("Payments", "Platform", "Search", "Sales")


@pytest.fixture(autouse=True)
def steady_admin_banner(monkeypatch):
    # The admin banner looks at the disk (one query on PostgreSQL) every CHECK_CACHE_SECONDS: on a
    # slow run that query would land in one measurement and not the other.
    monkeypatch.setattr("learnloop.ops.storage.CHECK_CACHE_SECONDS", 24 * 3600)


def closed_campaign(org, *, respondents: int, number: int = 0) -> Campaign:
    """A closed campaign built straight into the tables (launch and answering have their own tests):
    `respondents` answers spread over the teams, tenure bands and roles, then the real decision."""
    instrument = Instrument.objects.get(slug="learning-organization")
    teams = org.teams
    paths = {name: [team.parent.name, name] if team.parent_id else [name] for name, team in teams.items()}
    now = timezone.now() - timedelta(days=400 - number)
    campaign = Campaign.objects.create(
        name=f"Diagnostic {number}", instrument=instrument, opens_on=now.date(), closes_on=now.date(),
        status=CampaignStatus.CLOSING, threshold=5, launched_at=now, closed_at=now,
        hierarchy={str(team.pk): paths[name] for name, team in teams.items()},
    )
    Invitation.objects.bulk_create([
        Invitation(campaign=campaign, person=person, team=teams[name], tenure=TENURE_BANDS[0], role="member",
                   responded=True)
        for name, people in org.people.items() for person in people
    ])
    items = list(instrument.items.exclude(kind=ItemKind.COMMENT))
    Response.objects.bulk_create([
        Response(
            campaign=campaign, team_key=str(teams[LEAF_TEAMS[index % 4]].pk), tenure=TENURE_BANDS[index % 3],
            role="lead" if index % 7 == 0 else "member",
            answers={item.key: (index % 11 if item.kind == ItemKind.OUTCOME else 3 + index % 2) for item in items},
        )
        for index in range(respondents)
    ])
    release.decide_and_publish(campaign.pk)
    return Campaign.objects.get(pk=campaign.pk)


def still_closing(name: str) -> None:
    campaign = Campaign.objects.get(name=name)
    task = tasks.decide_release.enqueue(campaign.pk)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.CLOSING, release=None, release_task_id=str(task.id))


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
        if answer.streaming:  # an export runs its queries while its file is written
            b"".join(answer.streaming_content)
    assert answer.status_code == 200
    return len(captured)


def cold_and_warm(client, url: str) -> tuple[int, int]:
    cache.clear()
    return queries(client, url), queries(client, url)


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_the_report_reads_as_many_queries_at_24_and_240_respondents(survey_org, who):
    small = closed_campaign(survey_org, respondents=24, number=1)
    large = closed_campaign(survey_org, respondents=240, number=2)
    assert sum(d["released"] for d in large.release.values()) > sum(d["released"] for d in small.release.values())
    client = signed_in_client(getattr(survey_org, who))
    payments = survey_org.teams["Payments"].pk
    client.get(f"/surveys/campaigns/{small.pk}/report/")  # the first search builds its index (queries of its own)
    for path in ("/surveys/campaigns/{}/report/", "/api/v1/surveys/campaigns/{}/report",
                 "/surveys/campaigns/{}/report/?group=" + str(payments),
                 "/api/v1/surveys/campaigns/{}/report?group=" + str(payments),
                 "/surveys/campaigns/{}/report/export/?format=csv", "/api/v1/surveys/campaigns/{}/report/export"):
        at_1x = cold_and_warm(client, path.format(small.pk))
        at_10x = cold_and_warm(client, path.format(large.pk))
        assert at_1x == at_10x, path
        assert at_10x[1] <= at_10x[0]


def test_trends_and_campaign_lists_read_as_many_queries_at_3_and_30_campaigns(survey_org):
    admin, lead = signed_in_client(survey_org.admin), signed_in_client(survey_org.lead)
    payments = survey_org.teams["Payments"].pk
    pages = [
        (admin, "/surveys/trends/"), (lead, "/surveys/trends/"), (lead, f"/surveys/trends/?team={payments}"),
        (admin, "/api/v1/surveys/trends"), (lead, f"/api/v1/surveys/trends?team={payments}"),
        (admin, "/surveys/"), (admin, "/api/v1/surveys/campaigns"),
    ]
    for number in range(3):
        closed_campaign(survey_org, respondents=12, number=number)
    # Campaigns still closing: the lists show their state without a query each.
    still_closing("Diagnostic 0")
    for client, url in pages:  # first requests of a session read a few things once, whatever the data
        client.get(url)
    at_1x = [cold_and_warm(client, url) for client, url in pages]
    for number in range(3, 30):
        closed_campaign(survey_org, respondents=12, number=number)
    still_closing("Diagnostic 29")
    still_closing("Diagnostic 28")
    at_10x = [cold_and_warm(client, url) for client, url in pages]
    assert at_1x == at_10x
    trend = admin.get("/api/v1/surveys/trends").json()
    assert len(trend["campaigns"]) == 27 and all(point["scores"] for point in trend["campaigns"])


# What a report is made of, read once per request however many of its parts (heatmap, detail,
# breakdowns, comments, the focus form) use it. Responses are not listed: the released groups'
# figures, one group's drivers and the comment pools each read them their own way (cold cache only).
READ_ONCE = ("surveys_campaign", "surveys_instrument", "surveys_item", "surveys_dimension", "surveys_comment")


@pytest.mark.parametrize("who", ["admin", "lead"])
def test_a_report_request_reads_the_campaign_and_its_instrument_once(survey_org, who):
    campaign = closed_campaign(survey_org, respondents=24, number=1)
    client = signed_in_client(getattr(survey_org, who))
    payments = survey_org.teams["Payments"].pk
    client.get(f"/surveys/campaigns/{campaign.pk}/report/")  # the first search builds its index
    for path in (f"/surveys/campaigns/{campaign.pk}/report/?group={payments}",
                 f"/api/v1/surveys/campaigns/{campaign.pk}/report?group={payments}"):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        reads = {table: sum(f'FROM "{table}"' in query["sql"] for query in captured.captured_queries)
                 for table in READ_ONCE}
        assert {table: count for table, count in reads.items() if count > 1} == {}, path
        assert reads["surveys_dimension"] == reads["surveys_comment"] == 1, path  # the check sees the reads
