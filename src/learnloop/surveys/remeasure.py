"""Re-measure → check: a later campaign tells a focus area's action whether its dimension moved.

When a campaign's release is published (release.decide_and_publish), every earlier focus area on
the same instrument, for a team in this campaign, gets the team's mean on the focus dimension
then and now ("3.15 → 4.77"), stored as a Remeasure and offered to its action as proposed
evidence for "did it work?" (actions.services.propose_evidence). The action's owner decides.

Only figures the disclosure decision released for that very team are used, in both campaigns:
a team that was suppressed, merged into its department or had too few answers gets nothing,
and nothing is written about it (no row, no proposal, no activity event), so the absence of a
proposal is all anyone can learn, which is what the report page already shows.

It runs after the release is published, outside any write lock: it reads the released figures
(the report page's own cache, computed at most once per campaign and process) and then writes a
few rows per focus area, each in its own short transaction. Running it again changes nothing.
"""

import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from learnloop.surveys import reports
from learnloop.surveys.disclosure_gate import GroupKey
from learnloop.surveys.models import Campaign, CampaignStatus, FocusArea, Remeasure

logger = logging.getLogger("learnloop.surveys")

SOURCE_TYPE = "surveys.remeasure"


def released_team_means(campaign: Campaign, figures: dict, team_id: int) -> dict[str, object] | None:
    """{dimension key: score} of a team the campaign's release shows on its own; None otherwise."""
    key = str(GroupKey(str(team_id)))
    decision = (campaign.release or {}).get(key)
    if not decision or not decision.get("released") or key not in figures:
        return None
    scores, _enps = figures[key]
    return {score.key: score for score in scores}


def earlier_focus_areas(campaign: Campaign):
    """Focus areas chosen before this campaign closed, from campaigns of the same instrument that
    closed before it, for teams in this one."""
    team_ids = [int(key) for key in (campaign.hierarchy or {}) if key.isdigit()]
    return (
        FocusArea.objects.filter(
            campaign__instrument_id=campaign.instrument_id, campaign__status=CampaignStatus.CLOSED,
            campaign__closed_at__lt=campaign.closed_at, created_at__lte=campaign.closed_at, team_id__in=team_ids,
        )
        .exclude(campaign=campaign)
        .select_related("campaign", "team", "action")
        .order_by("pk")
    )


def propose_for_campaign(campaign_id: int) -> int:
    """Store the re-measures this campaign gives and propose them to the focus actions; how many
    focus areas received one (counting earlier runs)."""
    campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.CLOSED).first()
    if campaign is None or reports.not_shown_reason(campaign):
        return 0
    focus_areas = list(earlier_focus_areas(campaign))
    if not focus_areas:
        return 0
    earlier = {focus.campaign_id: focus.campaign for focus in focus_areas}
    figures = reports.released_figures([campaign, *earlier.values()])
    done = 0
    for focus in focus_areas:
        now = released_team_means(campaign, figures.get(campaign.pk, {}), focus.team_id)
        then = released_team_means(focus.campaign, figures.get(focus.campaign_id, {}), focus.team_id)
        if not now or not then or focus.dimension_key not in now or focus.dimension_key not in then:
            continue  # not released for this team in one of them: nothing is written about it
        _store(focus, campaign, then[focus.dimension_key], now[focus.dimension_key])
        done += 1
    if done:
        logger.info("Campaign %s re-measured %d focus areas", campaign.pk, done)
    return done


def _store(focus: FocusArea, campaign: Campaign, before, after) -> None:
    from learnloop.actions import services as actions

    with transaction.atomic():
        remeasure, _ = Remeasure.objects.get_or_create(
            focus_area=focus, campaign=campaign,
            defaults={"before": before.mean, "after": after.mean, "created_at": campaign.closed_at or timezone.now()},
        )
        if focus.action is None:
            return
        actions.propose_evidence(
            action=focus.action, source_type=SOURCE_TYPE, source_id=str(remeasure.pk),
            source_label=f"{campaign.name} · {focus.dimension_name}",
            source_url=reverse("surveys:trends") + f"?team={focus.team_id}",
            text=evidence_text(focus, campaign, before, after),
            figures=figures_of(focus, campaign, before, after),
            at=campaign.closed_at,
        )


def evidence_text(focus: FocusArea, campaign: Campaign, before, after) -> str:
    change = after.mean - before.mean
    return (
        f"Re-measured in {campaign.name}: {focus.dimension_name} for {focus.team.name} went from "
        f"{before.mean:.2f} ({focus.campaign.name}, {before.n} answers) to {after.mean:.2f} "
        f"({after.n} answers), a change of {change:+.2f}. 95% intervals: {before.low:.2f}–{before.high:.2f} "
        f"before, {after.low:.2f}–{after.high:.2f} after."
    )


def figures_of(focus: FocusArea, campaign: Campaign, before, after) -> dict:
    return {
        "dimension": focus.dimension_key, "team_id": focus.team_id,
        "before_campaign_id": focus.campaign_id, "after_campaign_id": campaign.pk,
        "before": round(before.mean, 4), "after": round(after.mean, 4),
        "change": round(after.mean - before.mean, 4),
        "before_interval": [round(before.low, 4), round(before.high, 4)],
        "after_interval": [round(after.low, 4), round(after.high, 4)],
        "before_n": before.n, "after_n": after.n,
    }
