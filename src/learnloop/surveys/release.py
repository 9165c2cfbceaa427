"""Closing a campaign in two steps, so no request waits for the disclosure decision.

1. `services.begin_closing_campaign` (in the close request, one short transaction): the campaign
   becomes CLOSING, unused links stop working and the decision is queued (`tasks.decide_release`).
   Answers stop at once.
2. `decide_and_publish` (on the worker, or inline for `survey close --wait`, the demo builder and
   tests): re-store the responses' attributes over who answered, ask the disclosure gate what
   may be shown, and publish: the campaign becomes CLOSED with its release, in one statement.

Until step 2 has stored the release nothing of the results is shown (reports.not_shown_reason).
The decision can run any number of times, and be killed anywhere: the re-grouping is computed
with reads only and written in one short transaction together with its marker (so it happens
once), the computation writes nothing but its progress, and publishing only turns a CLOSING
campaign into a CLOSED one (so it happens once); the engine is deterministic, so every run would
publish the same release. No write transaction is open while anything computes: on SQLite that
would stop every other writer.
3. After publishing, `remeasure.propose_for_campaign` turns the released figures into proposed
   evidence for earlier focus areas' actions (also re-run when an earlier run stopped before it).
"""

import hashlib
import json
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from learnloop.activity.services import record_activity
from learnloop.surveys import attributes, remeasure
from learnloop.surveys.models import Campaign, CampaignStatus, Comment, Invitation, Response

logger = logging.getLogger("learnloop.surveys")

QUEUED, REGROUPING, DECIDING = "queued", "regrouping", "deciding"
STEP_LABELS = {
    QUEUED: _("waiting for the background worker"),
    REGROUPING: _("re-grouping answers over who responded"),
    DECIDING: _("deciding what may be shown"),
}
# A decision still waiting this long after the close is shown as "is a worker running?".
WORKER_HINT_SECONDS = 30


def decide_and_publish(campaign_id: int) -> dict:
    """Make and publish the campaign's disclosure decision; a summary of what was published."""
    from learnloop.surveys import disclosure_gate

    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return {"campaign": campaign_id, "published": False, "reason": "no such campaign"}
    if campaign.status == CampaignStatus.CLOSED:
        remeasure.propose_for_campaign(campaign.pk)  # in case an earlier run stopped before it
        return summary(campaign)  # published by an earlier run
    if campaign.status != CampaignStatus.CLOSING:
        return {"campaign": campaign_id, "published": False, "reason": f"the campaign is {campaign.status}"}

    if not campaign.responses_regeneralized:
        _progress(campaign, REGROUPING)
        regrouped = _regrouped_answers(campaign)  # reads only: computed before any lock
        with transaction.atomic():
            # The marker first: on PostgreSQL it locks the row, so a second run waits here and
            # then finds the marker set; on SQLite the first write takes the database's write lock.
            claimed = Campaign.objects.filter(
                pk=campaign.pk, status=CampaignStatus.CLOSING, responses_regeneralized=False,
            ).update(responses_regeneralized=True)
            if claimed:
                campaign = Campaign.objects.get(pk=campaign.pk)
                _store_regrouped(campaign, regrouped)
                Campaign.objects.filter(pk=campaign.pk).update(generalization=campaign.generalization)
        campaign = Campaign.objects.get(pk=campaign.pk)

    _progress(campaign, DECIDING)
    release = disclosure_gate.compute_release(campaign)  # reads only; the long part
    published = Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.CLOSING).update(
        status=CampaignStatus.CLOSED, release=release, release_digest=digest(release), release_progress={},
    )
    campaign = Campaign.objects.get(pk=campaign.pk)
    if published:
        logger.info("Published the release of campaign %s (%d groups)", campaign.pk, len(release))
        # On the activity stream (outgoing webhooks listen there): no actor, the gate released it.
        record_activity(verb="survey_report_released", subject=campaign, data={"groups": len(release)})
    # After publishing, with no transaction open: the released figures become proposed evidence
    # for earlier focus areas' actions (remeasure.py; it does nothing for suppressed teams).
    remeasure.propose_for_campaign(campaign.pk)
    return summary(campaign)


def digest(release: dict) -> str:
    return hashlib.sha256(json.dumps(release, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def summary(campaign: Campaign) -> dict:
    """What an operator sees after `survey close --wait`: counts, never a group's figures."""
    groups = campaign.release or {}
    shown = sum(1 for decision in groups.values() if decision.get("released"))
    return {
        "campaign": campaign.pk, "published": campaign.status == CampaignStatus.CLOSED,
        "status": campaign.status, "groups": len(groups), "released": shown, "withheld": len(groups) - shown,
    }


def _progress(campaign: Campaign, step: str) -> None:
    # Its own tiny statement (autocommit), so the page sees it while the step runs.
    campaign.release_progress = {"step": step, "at": timezone.now().isoformat()}
    Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.CLOSING).update(
        release_progress=campaign.release_progress)


# --- what the page and the API show while closing --------------------------------------------------


def closing_state(campaign: Campaign) -> dict | None:
    """None unless closing; else {"step", "message", "waiting_for_worker", "failed"}."""
    return closing_states([campaign]).get(campaign.pk)


def closing_states(campaigns) -> dict[int, dict]:
    """closing_state for each closing campaign among these, reading their tasks in one query."""
    from django_tasks_db.models import DBTaskResult

    closing = [campaign for campaign in campaigns if campaign.status == CampaignStatus.CLOSING]
    task_ids = [campaign.release_task_id for campaign in closing if campaign.release_task_id]
    statuses = dict(DBTaskResult.objects.filter(pk__in=task_ids).values_list("pk", "status")) if task_ids else {}
    statuses = {str(pk): status for pk, status in statuses.items()}
    return {campaign.pk: _state(campaign, statuses.get(campaign.release_task_id)) for campaign in closing}


def _state(campaign: Campaign, task_status) -> dict:
    from learnloop.ops.taskqueue import FAILED, READY

    step = (campaign.release_progress or {}).get("step", QUEUED)
    failed = task_status == FAILED
    waited = (timezone.now() - campaign.closed_at).total_seconds() if campaign.closed_at else 0
    waiting = task_status == READY and step == QUEUED and waited >= WORKER_HINT_SECONDS
    if failed:
        message = gettext("the decision failed; an operator can run `learnloop survey close "
                           "%(campaign)s --wait` or `learnloop tasks retry`") % {"campaign": campaign.pk}
    else:
        message = str(STEP_LABELS.get(step, STEP_LABELS[DECIDING]))
    return {"step": step, "message": message, "waiting_for_worker": waiting, "failed": failed}


def _regrouped_answers(campaign: Campaign) -> dict:
    """What re-storing the responses' attributes over who answered would write, computed with
    reads only, so that no write lock is held while it computes (see release.decide_and_publish):
    the new generalization and, per new stored value, the responses and comments that take it.
    Each stored combination then covers k people who answered (who answered is in the
    invitations; see attributes.generalize_respondents)."""
    launched = campaign.generalization
    plan = {"generalization": launched, "responses": {}, "comments": {},
            "counted": Response.objects.filter(campaign=campaign).count()}
    if not launched:
        return plan  # launched before attributes were generalized
    answered = [
        attributes.stored_record(launched, *attributes.invitee_record(launched, team, tenure, role, extra))
        for team, tenure, role, extra in Invitation.objects.filter(campaign=campaign, responded=True)
        .values_list("team_id", "tenure", "role", "attributes")
    ]
    plan["generalization"], later = attributes.generalize_respondents(
        launched, answered, hierarchy_parents=launched.get("parents", {}), k=campaign.threshold)
    team_later = {before[0]: after[0] for before, after in later.items()}
    width = len(attributes.recorded_attributes(launched))
    for pk, team_key, tenure, role, extra in Response.objects.filter(campaign=campaign).values_list(
            "pk", "team_key", "tenure", "role", "attributes"):
        record = attributes.response_record(launched, team_key, tenure, role, extra)
        stored = later.get(record) or (team_later.get(team_key, attributes.ROOT),
                                       *(attributes.NOT_RECORDED,) * width)
        fields = attributes.response_fields(launched, stored)
        if fields != {"team_key": team_key, "tenure": tenure, "role": role, "attributes": extra}:
            key = json.dumps(fields, sort_keys=True)
            plan["responses"].setdefault(key, []).append(pk)
    for pk, team_key in Comment.objects.filter(campaign=campaign).values_list("pk", "team_key"):
        stored_team = team_later.get(team_key, attributes.ROOT)
        if stored_team != team_key:
            plan["comments"].setdefault(stored_team, []).append(pk)
    return plan


def _store_regrouped(campaign: Campaign, plan: dict) -> None:
    """Write a plan of _regrouped_answers: one UPDATE per new stored value (responses that share
    one are updated together), which keeps the write transaction short."""
    if Response.objects.filter(campaign=campaign).count() != plan["counted"]:
        plan = _regrouped_answers(campaign)  # answers changed since the plan was made
    campaign.generalization = plan["generalization"]
    for key, pks in plan["responses"].items():
        fields = json.loads(key)
        for start in range(0, len(pks), 500):
            Response.objects.filter(pk__in=pks[start:start + 500]).update(**fields)
    for team_key, pks in plan["comments"].items():
        for start in range(0, len(pks), 500):
            Comment.objects.filter(pk__in=pks[start:start + 500]).update(team_key=team_key)
