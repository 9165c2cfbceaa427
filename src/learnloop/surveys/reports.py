"""What a survey report shows a viewer, built only from groups the disclosure gate released.

Pages and the API both call these functions; nothing else reads responses for display.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache

from learnloop.surveys import disclosure_gate, stats
from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey
from learnloop.surveys.models import Barrier, Campaign, CampaignStatus, FocusArea, ItemKind

if TYPE_CHECKING:  # it loads numpy: imported where a report is computed
    from learnloop.analytics.psychometrics import LikertScale

SUGGESTIONS_PER_BARRIER = 3
# How long a closed campaign's computed figures stay in the (per-process) cache: they never go
# stale, this only bounds the memory of campaigns nobody looks at any more.
REPORT_CACHE_SECONDS = 6 * 3600
# Search words for playbooks that help with each barrier (the search ranks entries matching any).
BARRIER_QUERIES = {
    Barrier.FEAR_OF_FAILURE: "blameless postmortem retrospective mistake incident review experiment",
    Barrier.LEADERSHIP_SUPPORT: "manager one-to-one coaching feedback review",
    Barrier.SILOS: "knowledge sharing handover documentation cross-team wiki",
    Barrier.TIME_AND_RESOURCES: "learning time training onboarding pairing",
}


@dataclass
class GroupReport:
    key: str
    label: str
    size: int
    scores: list = field(default_factory=list)
    enps: float | None = None


def instrument_shape(campaign: Campaign):
    """(scale, dimensions, outcome item key). Read once per campaign object: a report page asks
    for it from the heatmap, the breakdowns and the detail alike."""
    shape = getattr(campaign, "_report_shape", None)
    if shape is None:
        instrument = campaign.instrument
        from learnloop.analytics.psychometrics import LikertScale

        scale = LikertScale(instrument.scale_min, instrument.scale_max)
        items = defaultdict(list)
        for dimension_id, key, reverse_keyed in instrument.items.filter(dimension__isnull=False).order_by(
            "position", "pk"
        ).values_list("dimension_id", "key", "reverse_keyed"):
            items[dimension_id].append((key, reverse_keyed))
        dimensions = [
            stats.DimensionSpec(dimension.key, dimension.name, dimension.barrier, tuple(items[dimension.pk]))
            for dimension in instrument.dimensions.order_by("position")
        ]
        outcome = instrument.items.filter(kind=ItemKind.OUTCOME).values_list("key", flat=True).first()
        shape = campaign._report_shape = (scale, dimensions, outcome)
    return shape


def _closed_campaign_figures(campaign: Campaign, what: str, shape, compute):
    """Figures of a closed campaign that don't depend on the viewer (a released group's scores,
    its drivers), computed once per process instead of on every report request.

    A closed campaign's answers and release never change again (nor does the instrument of a
    launched campaign), so the key needs only the campaign and when it closed; the instrument's
    shape is in it all the same, so figures are always those of the shape being shown. Who may
    see which group is still decided per request, before these are looked up.
    """
    scale, dimensions, outcome = shape
    closed = campaign.closed_at.isoformat() if campaign.closed_at else ""
    identity = repr((campaign.pk, closed, scale.minimum, scale.maximum, dimensions, outcome, what))
    key = f"surveys.report.{hashlib.sha256(identity.encode()).hexdigest()}"
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, timeout=REPORT_CACHE_SECONDS)
    return figures


def not_shown_reason(campaign: Campaign) -> str:
    """Why a campaign shows nothing at all, or "" when its release can be read."""
    if campaign.status != CampaignStatus.CLOSED:
        return "Results are shown once the campaign closes, so they can't be compared as answers arrive."
    if not campaign.release or not campaign.release.get(ORGANIZATION, {}).get("released"):
        return f"Fewer than {campaign.threshold} people responded, so no results are shown."
    return ""


def group_report(campaign: Campaign, key: GroupKey, *, viewer, shape=None) -> GroupReport | None:
    decision = disclosure_gate.released_group(campaign, key, viewer=viewer)
    if decision is None or not_shown_reason(campaign):
        return None
    shape = shape or instrument_shape(campaign)
    scale, dimensions, outcome = shape

    def compute():
        answers = disclosure_gate.responses_in(campaign, key)
        return stats.dimension_scores(answers, dimensions, scale), (
            stats.net_promoter(answers, outcome) if outcome else None
        )

    report = GroupReport(str(key), decision["label"], decision["size"])
    report.scores, report.enps = _closed_campaign_figures(campaign, f"scores:{key}", shape, compute)
    return report


def heatmap(campaign: Campaign, *, viewer) -> dict:
    """Rows: released hierarchy groups the viewer may see (no attribute cuts); columns: dimensions."""
    shape = instrument_shape(campaign)
    scale, dimensions, _ = shape
    rows, withheld = [], []
    for key, decision in _hierarchy_groups(campaign, viewer):
        if not decision["released"]:
            withheld.append({"key": str(key), "label": decision["label"], "reason": decision["reason"]})
            continue
        report = group_report(campaign, key, viewer=viewer, shape=shape)
        if report is None:
            continue
        by_key = {score.key: score for score in report.scores}
        cells = [
            {"dimension": dimension.key, "mean": by_key[dimension.key].mean,
             "heat": stats.heat(by_key[dimension.key].mean, scale)} if dimension.key in by_key else None
            for dimension in dimensions
        ]
        rows.append({"key": str(key), "label": report.label, "size": report.size, "cells": cells,
                     "enps": report.enps})
    return {"dimensions": [{"key": d.key, "name": d.name} for d in dimensions], "rows": rows, "withheld": withheld}


def _hierarchy_groups(campaign: Campaign, viewer):
    paths = {team_id: tuple(path) for team_id, path in (campaign.hierarchy or {}).items()}
    groups = [(key, decision) for key, decision in disclosure_gate.groups_for(campaign, viewer=viewer)
              if not key.conditions]
    return sorted(groups, key=lambda pair: (pair[0].node != ORGANIZATION, paths.get(pair[0].node, ())))


def breakdowns(campaign: Campaign, node: str, *, viewer) -> list[dict]:
    """The attribute cuts within one node: shown when released, otherwise their reason."""
    shape = instrument_shape(campaign)
    result = []
    for key, decision in disclosure_gate.groups_for(campaign, viewer=viewer):
        if key.node != node or not key.conditions:
            continue
        entry = {"key": str(key), "label": decision["label"], "released": decision["released"],
                 "reason": decision["reason"], "scores": [], "size": decision["size"]}
        if decision["released"]:
            report = group_report(campaign, key, viewer=viewer, shape=shape)
            entry["scores"] = [score.__dict__ for score in report.scores] if report else []
        result.append(entry)
    return sorted(result, key=lambda entry: (entry["key"].count(";"), entry["key"]))


def detail(campaign: Campaign, key: GroupKey, *, viewer) -> dict | None:
    """One released group: scores with intervals, the organization for comparison, drivers, barriers."""
    shape = instrument_shape(campaign)
    scale, dimensions, outcome = shape
    report = group_report(campaign, key, viewer=viewer, shape=shape)
    if report is None:
        return None
    organization = group_report(campaign, GroupKey(ORGANIZATION), viewer=viewer, shape=shape)
    org_means = {score.key: score.mean for score in organization.scores} if organization else {}
    scores = [
        {**score.__dict__, "organization": org_means.get(score.key), "weak": stats.weak(score, scale),
         "difference": score.mean - org_means[score.key] if score.key in org_means else None}
        for score in report.scores
    ]
    driver_list = _closed_campaign_figures(campaign, f"drivers:{key}", shape, lambda: [
        driver.__dict__ for driver in stats.drivers(disclosure_gate.responses_in(campaign, key), dimensions, scale,
                                                     outcome)
    ]) if outcome else []
    return {
        "key": report.key, "label": report.label, "size": report.size, "enps": report.enps,
        "organization_enps": organization.enps if organization else None,
        "scores": scores, "drivers": driver_list,
        "barriers": barrier_diagnosis(report.scores, dimensions, scale, viewer=viewer),
    }


def barrier_diagnosis(scores, dimensions, scale: "LikertScale", *, viewer) -> list[dict]:
    """Each barrier with its score; weak dimensions point at it, with playbooks that may help."""
    weak_keys = {score.key for score in scores if stats.weak(score, scale)}
    by_barrier = stats.barrier_scores(scores, dimensions)
    result = []
    for barrier, mean in sorted(by_barrier.items(), key=lambda pair: pair[1]):
        weak_dimensions = [d.name for d in dimensions if d.barrier == barrier and d.key in weak_keys]
        result.append({
            "barrier": barrier, "label": Barrier(barrier).label, "mean": mean, "weak_dimensions": weak_dimensions,
            "practices": suggested_practices(barrier, viewer=viewer) if weak_dimensions else [],
        })
    return result


def suggested_practices(barrier: str, *, viewer) -> list[dict]:
    from learnloop.knowledge import search
    from learnloop.knowledge.models import EntryKind

    results = search.search_entries(
        viewer=viewer, query=BARRIER_QUERIES.get(barrier, barrier),
        filters=search.SearchFilters(kinds=(EntryKind.PLAYBOOK,)), per_page=SUGGESTIONS_PER_BARRIER,
        with_facets=False,
    )
    return [{"id": hit.entry.pk, "title": hit.entry.title} for hit in results.hits]


def comments(campaign: Campaign, node: str, *, viewer) -> list[str]:
    if not_shown_reason(campaign) or node not in disclosure_gate.visible_nodes(campaign, viewer=viewer):
        return []
    groups = _closed_campaign_figures(campaign, "comments", instrument_shape(campaign),
                                      lambda: disclosure_gate.comment_groups(campaign))
    return groups.get(node, [])


def trends(team_id: str, *, viewer) -> dict:
    """A node's dimension scores across closed campaigns (where released), with its focus areas."""
    campaigns = [
        campaign for campaign in Campaign.objects.filter(status=CampaignStatus.CLOSED)
        .select_related("instrument").order_by("opens_on", "id")
        if team_id == ORGANIZATION or team_id in (campaign.hierarchy or {})
    ]
    points, names = [], {}
    for campaign in campaigns:
        if team_id not in disclosure_gate.visible_nodes(campaign, viewer=viewer):
            continue
        report = group_report(campaign, GroupKey(team_id), viewer=viewer)
        if report is None:
            decision = (campaign.release or {}).get(team_id) or {}
            points.append({"campaign": campaign, "scores": {},
                           "reason": not_shown_reason(campaign) or decision.get("reason") or "not shown"})
            continue
        for score in report.scores:
            names[score.key] = score.name
        points.append({"campaign": campaign, "scores": {score.key: score.mean for score in report.scores},
                       "size": report.size, "reason": ""})
    focus = []
    if team_id != ORGANIZATION and points:
        focus = list(FocusArea.objects.filter(team_id=int(team_id)).select_related("campaign", "action"))
    return {"points": points, "dimensions": names, "focus": focus}
