"""What a survey report shows a viewer, built only from groups the disclosure gate released.

Pages and the API both call these functions; nothing else reads responses for display.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.cache import cache

from learnloop.analytics import survey_stats as stats
from learnloop.surveys import disclosure_gate
from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey
from learnloop.surveys.models import Barrier, Campaign, CampaignStatus, Dimension, FocusArea, Instrument, Item, ItemKind

if TYPE_CHECKING:  # it loads numpy: imported where a report is computed
    from learnloop.analytics.psychometrics import LikertScale

SUGGESTIONS_PER_BARRIER = 3
# How long a closed campaign's computed figures stay in the cache. Django's cache is per process
# here (local memory, its default culling bounds the entries); entries are keyed by the digest
# of the published release, so a process can never serve figures of another release, and they
# never go stale: the timeout only frees campaigns nobody looks at any more.
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
    """(scale, dimensions, outcome item key), read once per campaign object and, for a campaign
    past launch (whose instrument can no longer change), once per process and instrument."""
    shape = getattr(campaign, "_report_shape", None)
    if shape is None:
        frozen = campaign.status in (CampaignStatus.CLOSED, CampaignStatus.CLOSING)
        key = f"surveys.shape.{campaign.instrument_id}"
        shape = cache.get(key) if frozen else None
        if shape is None:
            shape = _read_shapes([campaign.instrument_id])[campaign.instrument_id]
            if frozen:
                cache.set(key, shape, timeout=REPORT_CACHE_SECONDS)
        campaign._report_shape = shape
    return shape


def _read_shapes(instrument_ids) -> dict:
    """{instrument id: shape} in three queries, however many instruments."""
    instruments = {instrument.pk: instrument for instrument in Instrument.objects.filter(pk__in=set(instrument_ids))}
    items, outcomes = defaultdict(lambda: defaultdict(list)), {}
    for instrument_id, dimension_id, key, reverse_keyed, kind in Item.objects.filter(
        instrument_id__in=instruments,
    ).order_by("position", "pk").values_list("instrument_id", "dimension_id", "key", "reverse_keyed", "kind"):
        if dimension_id is not None:
            items[instrument_id][dimension_id].append((key, reverse_keyed))
        elif kind == ItemKind.OUTCOME:
            outcomes.setdefault(instrument_id, key)
    from learnloop.analytics.psychometrics import LikertScale

    dimensions = defaultdict(list)
    for dimension in Dimension.objects.filter(instrument_id__in=instruments).order_by("position", "pk"):
        dimensions[dimension.instrument_id].append(stats.DimensionSpec(
            dimension.key, dimension.name, dimension.barrier, tuple(items[dimension.instrument_id][dimension.pk])))
    return {
        pk: (LikertScale(instrument.scale_min, instrument.scale_max), dimensions[pk], outcomes.get(pk))
        for pk, instrument in instruments.items()
    }


def _figures_key(campaign: Campaign, what: str) -> str:
    closed = campaign.closed_at.isoformat() if campaign.closed_at else ""
    identity = repr((campaign.pk, closed, campaign.release_digest, what))
    return f"surveys.report.{hashlib.sha256(identity.encode()).hexdigest()}"


def _closed_campaign_figures(campaign: Campaign, what: str, shape, compute):
    """Figures of a closed campaign that don't depend on the viewer, computed once per process
    and release (see REPORT_CACHE_SECONDS). Who may see which group is still decided per request,
    before these are looked up."""
    key = _figures_key(campaign, what)
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, timeout=REPORT_CACHE_SECONDS)
    return figures


def released_figures(campaigns: list[Campaign]) -> dict[int, dict]:
    """{campaign id: {group key: (scores, eNPS)}} for every released group of these closed
    campaigns: from the campaign object (a request asks once per group), the cache, or computed
    from one read of the answers of those not cached."""
    result = {campaign.pk: campaign.__dict__["_figures"] for campaign in campaigns if "_figures" in campaign.__dict__}
    keys = {campaign.pk: _figures_key(campaign, "groups") for campaign in campaigns
            if campaign.pk not in result and not not_shown_reason(campaign)}
    cached = cache.get_many(list(keys.values())) if keys else {}
    result.update({pk: cached[key] for pk, key in keys.items() if key in cached})
    missing = [campaign for campaign in campaigns if campaign.pk in keys and campaign.pk not in result]
    if missing:
        answers = disclosure_gate.answers_by_group(
            missing, {campaign.pk: [key for key, decision in campaign.release.items() if decision["released"]]
                      for campaign in missing})
        fresh = {}
        for campaign in missing:
            scale, dimensions, outcome = instrument_shape(campaign)
            result[campaign.pk] = fresh[keys[campaign.pk]] = {
                key: (stats.dimension_scores(rows, dimensions, scale),
                      stats.net_promoter(rows, outcome) if outcome else None)
                for key, rows in answers[campaign.pk].items()
            }
        cache.set_many(fresh, timeout=REPORT_CACHE_SECONDS)
    for campaign in campaigns:
        if campaign.pk in result:
            campaign._figures = result[campaign.pk]
    return result


def not_shown_reason(campaign: Campaign) -> str:
    """Why a campaign shows nothing at all, or "" when its release can be read."""
    if campaign.status == CampaignStatus.CLOSING:
        return "The campaign is closing: results are shown once it has been decided what may be shown."
    if campaign.status != CampaignStatus.CLOSED:
        return "Results are shown once the campaign closes, so they can't be compared as answers arrive."
    if not campaign.release or not campaign.release.get(ORGANIZATION, {}).get("released"):
        return f"Fewer than {campaign.threshold} people responded, so no results are shown."
    return ""


def viewer_scope(campaign: Campaign, viewer, team_ids=None) -> set[str]:
    """The hierarchy nodes this viewer may see in this campaign, worked out once per campaign
    object (a request's), with the viewer's teams when the caller has read them already."""
    scopes = campaign.__dict__.setdefault("_viewer_scopes", {})
    marker = getattr(viewer, "pk", None)
    if marker not in scopes:
        scopes[marker] = disclosure_gate.visible_nodes(campaign, viewer=viewer, team_ids=team_ids)
    return scopes[marker]


def group_report(campaign: Campaign, key: GroupKey, *, viewer, shape=None) -> GroupReport | None:
    if not_shown_reason(campaign) or key.node not in viewer_scope(campaign, viewer):
        return None
    decision = campaign.release.get(str(key))
    if not decision or not decision["released"]:
        return None
    figures = released_figures([campaign])[campaign.pk].get(str(key))
    report = GroupReport(str(key), decision["label"], decision["size"])
    if figures is not None:
        report.scores, report.enps = figures
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


def groups_for(campaign: Campaign, *, viewer) -> list[tuple[GroupKey, dict]]:
    """Every group of the campaign's cuts the viewer may ask about, released or not (with reasons)."""
    if not_shown_reason(campaign):
        return []
    parsed = campaign.__dict__.get("_parsed_release")
    if parsed is None:
        parsed = campaign._parsed_release = [(GroupKey.parse(text), decision)
                                             for text, decision in campaign.release.items()]
    nodes = viewer_scope(campaign, viewer)
    return [(key, decision) for key, decision in parsed if key.node in nodes]


def _hierarchy_groups(campaign: Campaign, viewer):
    paths = {team_id: tuple(path) for team_id, path in (campaign.hierarchy or {}).items()}
    groups = [(key, decision) for key, decision in groups_for(campaign, viewer=viewer) if not key.conditions]
    return sorted(groups, key=lambda pair: (pair[0].node != ORGANIZATION, paths.get(pair[0].node, ())))


def breakdowns(campaign: Campaign, node: str, *, viewer) -> list[dict]:
    """The attribute cuts within one node: shown when released, otherwise their reason."""
    shape = instrument_shape(campaign)
    result = []
    for key, decision in groups_for(campaign, viewer=viewer):
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
    if not_shown_reason(campaign) or node not in viewer_scope(campaign, viewer):
        return []
    groups = _closed_campaign_figures(campaign, "comments", instrument_shape(campaign),
                                      lambda: disclosure_gate.comment_groups(campaign))
    return groups.get(node, [])


def trends(team_id: str, *, viewer) -> dict:
    """A node's dimension scores across closed campaigns (where released), with its focus areas.

    A constant number of queries however many campaigns: the campaigns, their instruments'
    shapes and the viewer's teams once each, and the figures from the cache or one read of the
    answers (see released_figures)."""
    from learnloop.surveys.permissions import viewer_team_ids

    closed = list(Campaign.objects.filter(status=CampaignStatus.CLOSED).order_by("opens_on", "id"))
    team_ids = viewer_team_ids(viewer)
    campaigns = [
        campaign for campaign in closed
        if (team_id == ORGANIZATION or team_id in (campaign.hierarchy or {}))
        and team_id in viewer_scope(campaign, viewer, team_ids)
    ]
    _load_shapes(campaigns)
    figures = released_figures(campaigns)
    points, names = [], {}
    for campaign in campaigns:
        report = group_report(campaign, GroupKey(team_id), viewer=viewer)
        if report is None or campaign.pk not in figures:
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


def node_visible_in_any(team_id: str, *, viewer) -> bool:
    """Whether the viewer may see this node in at least one closed campaign (trends page guard)."""
    from learnloop.surveys.permissions import viewer_team_ids

    team_ids = viewer_team_ids(viewer)
    return any(team_id in viewer_scope(campaign, viewer, team_ids)
               for campaign in Campaign.objects.filter(status=CampaignStatus.CLOSED).only("pk", "hierarchy"))


def _load_shapes(campaigns: list[Campaign]) -> None:
    """Give every campaign its instrument's shape, reading the uncached ones together."""
    keys = {campaign.instrument_id: f"surveys.shape.{campaign.instrument_id}" for campaign in campaigns}
    cached = cache.get_many(list(keys.values())) if keys else {}
    missing = [pk for pk, key in keys.items() if key not in cached]
    shapes = {pk: cached[key] for pk, key in keys.items() if key in cached}
    if missing:
        fresh = _read_shapes(missing)
        shapes.update(fresh)
        cache.set_many({keys[pk]: shape for pk, shape in fresh.items()}, timeout=REPORT_CACHE_SECONDS)
    for campaign in campaigns:
        campaign._report_shape = shapes[campaign.instrument_id]
