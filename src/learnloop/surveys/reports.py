"""What a survey report shows a viewer, built only from groups the disclosure gate released.

Pages and the API build one CampaignReport per campaign and viewer and ask it for the parts they
show; nothing else reads responses for display.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.translation import gettext

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
# Search words for playbooks that help with each barrier, used only when no playbook is tagged for
# it (see docs/knowledge.md, the learning-practice library); the search ranks entries matching any.
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


def _closed_campaign_figures(campaign: Campaign, what: str, compute):
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
    campaigns: from the cache, or computed from one read of the answers of those not cached."""
    keys = {campaign.pk: _figures_key(campaign, "groups") for campaign in campaigns if not not_shown_reason(campaign)}
    cached = cache.get_many(list(keys.values())) if keys else {}
    result = {pk: cached[key] for pk, key in keys.items() if key in cached}
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
    return result


def not_shown_reason(campaign: Campaign) -> str:
    """Why a campaign shows nothing at all, or "" when its release can be read."""
    if campaign.status == CampaignStatus.CLOSING:
        return gettext("The campaign is closing: results are shown once it has been decided what may be shown.")
    if campaign.status != CampaignStatus.CLOSED:
        return gettext("Results are shown once the campaign closes, so they can't be compared as answers arrive.")
    if not campaign.release or not campaign.release.get(ORGANIZATION, {}).get("released"):
        return gettext("Fewer than %(threshold)s people responded, so no results are shown.") % {
            "threshold": campaign.threshold}
    return ""


class CampaignReport:
    """What one viewer may see of one campaign's results. A request builds one per campaign and
    viewer, and its parts (heatmap, a group's detail, breakdowns, comments) share what it read:
    the instrument's shape, the viewer's scope, the parsed release and the released groups'
    figures are each worked out once, however many parts ask for them.

    `team_ids` (the viewer's teams) and `figures` (this campaign's entry of released_figures)
    are for callers that read them already for many campaigns at once (trends)."""

    def __init__(self, campaign: Campaign, viewer, *, team_ids=None, figures: dict | None = None):
        self.campaign = campaign
        self.viewer = viewer
        self._team_ids = team_ids
        self._given_figures = figures
        self._groups: dict[str, GroupReport | None] = {}

    @cached_property
    def not_shown_reason(self) -> str:
        return not_shown_reason(self.campaign)

    @cached_property
    def shape(self):
        """(scale, dimensions, outcome item key) of the campaign's instrument."""
        return instrument_shape(self.campaign)

    @property
    def dimensions(self) -> list:
        return self.shape[1]

    @cached_property
    def scope(self) -> set[str]:
        """The hierarchy nodes this viewer may see in this campaign."""
        return disclosure_gate.visible_nodes(self.campaign, viewer=self.viewer, team_ids=self._team_ids)

    @cached_property
    def figures(self) -> dict:
        """{group key: (scores, eNPS)} of every released group, viewer or not (filtered in group())."""
        if self._given_figures is not None:
            return self._given_figures
        return released_figures([self.campaign]).get(self.campaign.pk, {})

    @cached_property
    def groups(self) -> list[tuple[GroupKey, dict]]:
        """Every group of the campaign's cuts the viewer may ask about, released or not (with reasons)."""
        if self.not_shown_reason:
            return []
        return [(key, decision) for key, decision in (
            (GroupKey.parse(text), decision) for text, decision in self.campaign.release.items()
        ) if key.node in self.scope]

    def group(self, key: GroupKey) -> GroupReport | None:
        """One released group the viewer may see, with its figures; None otherwise."""
        text = str(key)
        if text not in self._groups:
            self._groups[text] = self._read_group(key)
        return self._groups[text]

    def _read_group(self, key: GroupKey) -> GroupReport | None:
        if self.not_shown_reason or key.node not in self.scope:
            return None
        decision = self.campaign.release.get(str(key))
        if not decision or not decision["released"]:
            return None
        report = GroupReport(str(key), decision["label"], decision["size"])
        figures = self.figures.get(str(key))
        if figures is not None:
            report.scores, report.enps = figures
        return report

    def withheld_reason(self, key: GroupKey) -> str:
        """Why group() shows nothing for this key: the release's reason when the viewer may see
        the node, otherwise only that it isn't theirs to see."""
        decision = (self.campaign.release or {}).get(str(key))
        if decision and key.node in self.scope:
            return decision.get("reason")
        return gettext("This group is not part of what you may see.")

    def heatmap(self) -> dict:
        """Rows: released hierarchy groups the viewer may see (no attribute cuts); columns: dimensions."""
        scale, dimensions, _ = self.shape
        rows, withheld = [], []
        for key, decision in self._hierarchy_groups():
            if not decision["released"]:
                withheld.append({"key": str(key), "label": decision["label"], "reason": decision["reason"]})
                continue
            report = self.group(key)
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
        return {"dimensions": [{"key": d.key, "name": d.name} for d in dimensions], "rows": rows,
                "withheld": withheld}

    def _hierarchy_groups(self):
        paths = {team_id: tuple(path) for team_id, path in (self.campaign.hierarchy or {}).items()}
        groups = [(key, decision) for key, decision in self.groups if not key.conditions]
        return sorted(groups, key=lambda pair: (pair[0].node != ORGANIZATION, paths.get(pair[0].node, ())))

    def breakdowns(self, node: str) -> list[dict]:
        """The attribute cuts within one node: shown when released, otherwise their reason."""
        result = []
        for key, decision in self.groups:
            if key.node != node or not key.conditions:
                continue
            entry = {"key": str(key), "label": decision["label"], "released": decision["released"],
                     "reason": decision["reason"], "scores": [], "size": decision["size"]}
            if decision["released"]:
                report = self.group(key)
                entry["scores"] = [score.__dict__ for score in report.scores] if report else []
            result.append(entry)
        return sorted(result, key=lambda entry: (entry["key"].count(";"), entry["key"]))

    def detail(self, key: GroupKey) -> dict | None:
        """One released group: scores with intervals, the organization for comparison, drivers, barriers."""
        scale, dimensions, outcome = self.shape
        report = self.group(key)
        if report is None:
            return None
        organization = self.group(GroupKey(ORGANIZATION))
        org_means = {score.key: score.mean for score in organization.scores} if organization else {}
        scores = [
            {**score.__dict__, "organization": org_means.get(score.key), "weak": stats.weak(score, scale),
             "difference": score.mean - org_means[score.key] if score.key in org_means else None}
            for score in report.scores
        ]
        driver_list = _closed_campaign_figures(self.campaign, f"drivers:{key}", lambda: [
            driver.__dict__ for driver in stats.drivers(
                disclosure_gate.responses_in(self.campaign, key), dimensions, scale, outcome)
        ]) if outcome else []
        return {
            "key": report.key, "label": report.label, "size": report.size, "enps": report.enps,
            "organization_enps": organization.enps if organization else None,
            "scores": scores, "drivers": driver_list,
            "barriers": barrier_diagnosis(report.scores, dimensions, scale, viewer=self.viewer),
        }

    def comments(self, node: str) -> list[str]:
        """The comments pooled at a node the viewer may see."""
        if self.not_shown_reason or node not in self.scope:
            return []
        groups = _closed_campaign_figures(self.campaign, "comments",
                                          lambda: disclosure_gate.comment_groups(self.campaign))
        return groups.get(node, [])


def barrier_diagnosis(scores, dimensions, scale: "LikertScale", *, viewer) -> list[dict]:
    """Each barrier with its score; weak dimensions point at it, with playbooks that may help
    (knowledge.practice_library, asked once for every barrier with a weak dimension)."""
    from learnloop.knowledge.practice_library import practices_for_each

    weak_keys = {score.key for score in scores if stats.weak(score, scale)}
    by_barrier = sorted(stats.barrier_scores(scores, dimensions).items(), key=lambda pair: pair[1])
    weak_of = {barrier: [d for d in dimensions if d.barrier == barrier and d.key in weak_keys]
               for barrier, _mean in by_barrier}
    asking = [barrier for barrier, _mean in by_barrier if weak_of[barrier]]
    found = practices_for_each(
        viewer=viewer, limit=SUGGESTIONS_PER_BARRIER,
        wanted=[(barrier, [d.key for d in weak_of[barrier]], BARRIER_QUERIES.get(barrier, barrier))
                for barrier in asking],
    ) if asking else []
    practices = {barrier: [{"id": entry.pk, "title": entry.title} for entry in entries]
                 for barrier, entries in zip(asking, found, strict=True)}
    return [{
        "barrier": barrier, "label": str(Barrier(barrier).label), "mean": mean,
        "weak_dimensions": [d.name for d in weak_of[barrier]], "practices": practices.get(barrier, []),
    } for barrier, mean in by_barrier]


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
        and team_id in disclosure_gate.visible_nodes(campaign, viewer=viewer, team_ids=team_ids)
    ]
    _load_shapes(campaigns)
    figures = released_figures(campaigns)
    points, names = [], {}
    for campaign in campaigns:
        report = CampaignReport(campaign, viewer, team_ids=team_ids, figures=figures.get(campaign.pk))
        group = report.group(GroupKey(team_id))
        if group is None or campaign.pk not in figures:
            decision = (campaign.release or {}).get(team_id) or {}
            points.append({"campaign": campaign, "scores": {},
                           "reason": not_shown_reason(campaign) or decision.get("reason") or "not shown"})
            continue
        for score in group.scores:
            names[score.key] = score.name
        points.append({"campaign": campaign, "scores": {score.key: score.mean for score in group.scores},
                       "size": group.size, "reason": ""})
    focus = []
    if team_id != ORGANIZATION and points:
        focus = list(FocusArea.objects.filter(team_id=int(team_id)).select_related("campaign", "action", "owner")
                     .prefetch_related("remeasures__campaign"))
    return {"points": points, "dimensions": names, "focus": focus}


def node_visible_in_any(team_id: str, *, viewer) -> bool:
    """Whether the viewer may see this node in at least one closed campaign (trends page guard)."""
    from learnloop.surveys.permissions import viewer_team_ids

    team_ids = viewer_team_ids(viewer)
    return any(team_id in disclosure_gate.visible_nodes(campaign, viewer=viewer, team_ids=team_ids)
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


# --- export (learnloop.web.tables; docs/exports.md) -------------------------------------------------------

EXPORT_COLUMNS = ["group", "group_key", "size", "dimension_key", "dimension", "mean", "low", "high", "n", "enps"]


def export_rows(report: CampaignReport) -> list[dict]:
    """One row per released group the viewer may see and dimension: exactly the figures the
    report page can show (through the disclosure gate, CampaignReport.group), hierarchy groups
    first in the heat map's order, then the attribute cuts. Withheld groups and comments are
    not exported; a campaign whose report isn't shown gives no rows (the caller says why)."""
    if report.not_shown_reason:
        return []
    hierarchy = report._hierarchy_groups()
    cuts = sorted(((key, decision) for key, decision in report.groups if key.conditions),
                  key=lambda pair: (str(pair[0]).count(";"), str(pair[0])))
    rows = []
    for key, _ in [*hierarchy, *cuts]:
        group = report.group(key)
        if group is None:
            continue
        for score in group.scores:
            rows.append({"group": group.label, "group_key": group.key, "size": group.size,
                         "dimension_key": score.key, "dimension": score.name, "mean": round(score.mean, 4),
                         "low": round(score.low, 4), "high": round(score.high, 4), "n": score.n,
                         "enps": group.enps})
    return rows
