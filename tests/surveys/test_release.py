"""Closing off the request path: the close returns before the decision, nothing shows until the
worker publishes, a crashed or repeated decision publishes one identical release."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from learnloop.activity.models import ActivityEvent
from learnloop.ops import taskqueue
from learnloop.ops.worker import Worker
from learnloop.surveys import disclosure_gate, release, reports
from learnloop.surveys.models import Campaign, Invitation, Response
from tests.conftest import signed_in_client
from tests.surveys.conftest import run_campaign

# The worker checks its connection between tasks as in production, which needs committed
# transactions (on PostgreSQL it would close the test's transaction's connection).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_retries(settings):
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RETRY_BASE_SECONDS = 30
    settings.TASK_LEASE_SECONDS = 60


def run_worker():
    Worker(worker_id="test-worker", batch=True).run()


def queued_decisions():
    return DBTaskResult.objects.filter(task_path__endswith="decide_release")


def make_due(task_id):
    """Skip the backoff wait: the retry is due now."""
    DBTaskResult.objects.filter(pk=task_id).update(run_after=timezone.now() - timedelta(seconds=1))


def closing(survey_org, name="Spring pulse", **options):
    campaign = run_campaign(survey_org, name=name, close=False, **options)
    signed_in_client(survey_org.admin).post(f"/surveys/campaigns/{campaign.pk}/close/")
    return Campaign.objects.get(pk=campaign.pk)


def stored_records(campaign):
    return sorted(Response.objects.filter(campaign=campaign).values_list("team_key", "tenure", "role"))


def test_the_close_returns_before_the_decision_and_nothing_shows_until_the_worker_publishes(survey_org):
    campaign = run_campaign(survey_org, close=False)
    admin = signed_in_client(survey_org.admin)
    page = admin.post(f"/surveys/campaigns/{campaign.pk}/close/", follow=True)
    campaign.refresh_from_db()
    assert campaign.status == "closing" and campaign.release is None
    body = page.content.decode()
    assert 'id="closing-progress"' in body and "hx-get" in body and "View results" not in body
    # Answers have stopped: no link works any more.
    assert not Invitation.objects.filter(campaign=campaign).exclude(token_hash=None).exists()
    # Nothing of the results, for anyone (admins included), on the page or the API.
    report = admin.get(f"/surveys/campaigns/{campaign.pk}/report/").content.decode()
    assert "closing" in report and 'id="heatmap"' not in report
    api = admin.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report").json()
    assert api == {"campaign": campaign.pk, "shown": False, "reason": reports.not_shown_reason(campaign)}
    assert admin.get("/api/v1/surveys/trends").json()["campaigns"] == []
    state = admin.get(f"/api/v1/surveys/campaigns/{campaign.pk}").json()
    assert state["status"] == "closing" and state["closing"]["step"] == "queued"

    run_worker()

    campaign.refresh_from_db()
    assert campaign.status == "closed" and campaign.release["org"]["released"]
    assert campaign.release_digest == release.digest(campaign.release)
    polled = admin.get(f"/surveys/campaigns/{campaign.pk}/state/").content.decode()
    assert "View results" in polled and "hx-get" not in polled  # the polling stops
    api = admin.get(f"/api/v1/surveys/campaigns/{campaign.pk}/report").json()
    assert api["shown"] and api["heatmap"]["rows"][0]["size"] == 21
    web = admin.get(f"/surveys/campaigns/{campaign.pk}/report/").content.decode()
    for row in api["heatmap"]["rows"]:
        assert row["label"] in web
    assert admin.get(f"/api/v1/surveys/campaigns/{campaign.pk}").json()["closing"] is None


def test_a_decision_killed_midway_restarts_and_publishes_the_release_of_an_uninterrupted_one(survey_org, monkeypatch):
    reference = run_campaign(survey_org, name="Reference")  # closed inline, in one go
    campaign = run_campaign(survey_org, name="Interrupted", close=False)
    run_worker()  # the invitation emails
    signed_in_client(survey_org.admin).post(f"/surveys/campaigns/{campaign.pk}/close/")
    # The worker dies while the engine computes (after the answers were re-grouped).
    monkeypatch.setattr(disclosure_gate, "compute_release", lambda campaign: (_ for _ in ()).throw(SystemExit))
    task = taskqueue.claim_next(worker_id="doomed")
    assert task.task_path.endswith("decide_release")
    with pytest.raises(SystemExit):
        release.decide_and_publish(campaign.pk)
    monkeypatch.undo()
    campaign.refresh_from_db()
    assert campaign.status == "closing" and campaign.release is None and campaign.responses_regeneralized
    assert campaign.release_progress["step"] == "deciding"
    # Its lease runs out; the reaper queues it again and another worker finishes it.
    assert taskqueue.reap_expired(now=timezone.now() + timedelta(minutes=5)) == (1, 0)
    make_due(task.pk)
    run_worker()
    campaign.refresh_from_db()
    reference.refresh_from_db()
    assert campaign.status == "closed"
    assert campaign.release == reference.release and campaign.release_digest == reference.release_digest
    # Re-grouped once, not twice: the stored attributes are those of the uninterrupted close.
    assert stored_records(campaign) == stored_records(reference)
    assert DBTaskResult.objects.get(pk=task.pk).status == taskqueue.SUCCESSFUL


def test_running_the_decision_twice_publishes_once(survey_org):
    campaign = closing(survey_org)
    first = release.decide_and_publish(campaign.pk)
    published = Campaign.objects.get(pk=campaign.pk)
    records = stored_records(campaign)
    second = release.decide_and_publish(campaign.pk)
    run_worker()  # the queued task finds it published
    again = Campaign.objects.get(pk=campaign.pk)
    assert first == second and first["published"] and first["released"] > 0
    assert (again.release, again.release_digest, again.closed_at) == (
        published.release, published.release_digest, published.closed_at)
    assert stored_records(campaign) == records
    assert ActivityEvent.objects.filter(verb="survey_campaign_closed").count() == 1


def test_a_failed_decision_says_so_and_shows_nothing(survey_org, monkeypatch, settings):
    settings.TASK_MAX_ATTEMPTS = 1
    campaign = closing(survey_org)
    monkeypatch.setattr(disclosure_gate, "compute_release", lambda campaign: 1 / 0)
    run_worker()
    campaign.refresh_from_db()
    state = release.closing_state(campaign)
    assert campaign.status == "closing" and state["failed"] and "survey close" in state["message"]
    assert reports.not_shown_reason(campaign)


def test_a_queued_decision_without_a_worker_says_so(survey_org):
    campaign = closing(survey_org)
    assert not release.closing_state(campaign)["waiting_for_worker"]
    Campaign.objects.filter(pk=campaign.pk).update(closed_at=timezone.now() - timedelta(minutes=2))
    page = signed_in_client(survey_org.admin).get(f"/surveys/campaigns/{campaign.pk}/").content.decode()
    assert "learnloop worker" in page


def test_only_survey_managers_close(survey_org):
    campaign = run_campaign(survey_org, close=False)
    member = signed_in_client(survey_org.lead)  # a team facilitator, not a learning lead
    assert member.post(f"/surveys/campaigns/{campaign.pk}/close/").status_code == 403
    assert member.post(f"/api/v1/surveys/campaigns/{campaign.pk}/close").status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == "open" and not queued_decisions().exists()


def test_the_api_close_returns_closing_and_a_second_close_is_refused(survey_org):
    campaign = run_campaign(survey_org, close=False)
    admin = signed_in_client(survey_org.admin)
    answer = admin.post(f"/api/v1/surveys/campaigns/{campaign.pk}/close")
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "closing" and body["closing"]["step"] == "queued"
    again = admin.post(f"/api/v1/surveys/campaigns/{campaign.pk}/close")
    assert again.status_code == 400 and "already closing" in json.dumps(again.json())
    listed = admin.get("/api/v1/surveys/campaigns").json()["items"]
    assert [row["closing"]["step"] for row in listed if row["id"] == campaign.pk] == ["queued"]


def survey_cli(*args) -> str:
    out = StringIO()
    call_command("survey", *args, stdout=out)
    return out.getvalue()


def test_the_cli_closes_by_id_or_name_and_waits_when_asked(survey_org):
    first = run_campaign(survey_org, name="Spring pulse", close=False)
    output = survey_cli("close", str(first.pk))
    assert "is closing" in output and Campaign.objects.get(pk=first.pk).status == "closing"
    assert queued_decisions().count() == 1
    # --wait finishes a campaign left closing.
    output = survey_cli("close", str(first.pk), "--wait")
    closed = Campaign.objects.get(pk=first.pk)
    shown = sum(decision["released"] for decision in closed.release.values())
    assert closed.status == "closed" and f"{shown} shown" in output
    second = run_campaign(survey_org, name="Autumn pulse", close=False)
    output = survey_cli("close", "autumn pulse", "--wait", "--as", survey_org.admin.email)
    assert "is closed" in output and Campaign.objects.get(pk=second.pk).status == "closed"


@pytest.mark.parametrize(("args", "message"), [
    (("404",), "No campaign"),
    (("Nothing like this",), "No campaign"),
    (("--as", "nobody@example.org"), "no active person"),
    (("--as", "lead"), "Only learning leads"),
])
def test_the_cli_refuses_with_exit_status_2(survey_org, args, message):
    campaign = run_campaign(survey_org, close=False)
    args = tuple(survey_org.lead.email if arg == "lead" else arg for arg in args)
    if args[0].startswith("--"):
        args = (str(campaign.pk), *args)
    with pytest.raises(CommandError, match=message) as error:
        survey_cli("close", *args)
    assert error.value.returncode == 2
    assert Campaign.objects.get(pk=campaign.pk).status == "open"


def test_the_cli_refuses_a_closed_campaign(survey_org):
    campaign = run_campaign(survey_org)
    with pytest.raises(CommandError, match="already closed") as error:
        survey_cli("close", str(campaign.pk))
    assert error.value.returncode == 2


def test_the_inline_close_queues_nothing(survey_org):
    campaign = run_campaign(survey_org)
    assert campaign.status == "closed" and not queued_decisions().exists()
