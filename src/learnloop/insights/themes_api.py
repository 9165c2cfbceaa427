"""API for recurring themes: the list, one theme with its items, and the three corrections.

Figures and items are the caller's visible ones (themes_selectors), exactly as on the pages; a
theme the caller sees nothing of answers 404 like one that doesn't exist. Corrections are for
learning leads and admins (403 otherwise, with the reason).
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Pagination, PersonRef, TeamRef, errors, team_ref
from learnloop.insights import themes_selectors as selectors
from learnloop.insights import themes_services as services
from learnloop.insights.themes_forms import parse_month
from learnloop.insights.themes_models import Source, Theme, ThemeCorrection
from learnloop.insights.themes_permissions import can_correct

router = Router(tags=["insights"])

SourceName = Literal["retro_card", "postmortem_factor", "review_gap", "action", "question", "lesson",
                     "survey_comment"]


class ThemeCountOut(Schema):
    key: str = Field(description="A source name, a team name (empty: no team) or a month (YYYY-MM).")
    count: int


class AlertOut(Schema):
    action_id: int
    action_title: str
    effective_on: date = Field(description="The day the action's effectiveness check said it worked.")
    since: int = Field(description="Items of the theme dated after that day.")
    latest: date


class ThemeOut(Schema):
    id: int
    title: str = Field(description="The name a person gave it, else the algorithm's label.")
    label: str
    name: str
    count: int = Field(description="Items you may see; every figure counts only those.")
    sentence: str = Field(description='"This came up in 7 retros, 2 postmortems and the last survey across 4 teams."')
    first_seen: date | None
    last_seen: date | None
    trend: Literal["rising", "falling", "steady"] = Field(
        description="Items in the last 3 months against the 3 before.")
    by_source: list[ThemeCountOut]
    by_team: list[ThemeCountOut]
    by_month: list[ThemeCountOut]
    effective_action_ids: list[int] = Field(description="Actions in the theme whose check said it worked.")
    alerts: list[AlertOut] = Field(description="The theme came back after one of those actions was marked effective.")


class ThemeItemOut(Schema):
    key: str = Field(description='Source and id, e.g. "retro_card:<card id>" or "action:12"; used to split.')
    source: SourceName
    text: str
    team: TeamRef | None
    on: date = Field(description="The source's date: a card's session date, an action's or entry's creation day, "
                                 "a survey's closing day.")
    url: str = Field(description="The page the item is read on (a card's session, never its writer).")


class ThemeDetailOut(ThemeOut):
    items: list[ThemeItemOut]


class RenameIn(InputSchema):
    name: str = Field(max_length=200)


class MergeIn(InputSchema):
    other_id: Id = Field(description="The theme merged into this one; it is retired.")


class SplitIn(InputSchema):
    items: list[str] = Field(max_length=10000, description="Keys of the items moved into a new theme.")
    name: str = Field(max_length=200)


class CorrectionOut(Schema):
    id: int
    kind: Literal["rename", "merge", "split"]
    summary: str = Field(description="What it did, in a sentence.")
    theme_id: int = Field(description="rename: the theme named; merge: the theme kept; split: the new theme.")
    other_id: int | None = Field(description="merge: the theme merged in; split: the theme split from.")
    name: str
    items: list[str] = Field(description="Item keys it was made on (split: those moved).")
    other_items: list[str] = Field(description="merge: the merged theme's keys; split: those left behind.")
    by: PersonRef | None
    created_at: datetime
    undone_at: datetime | None = Field(description="Set once undone: no longer applied on regrouping.")
    undone_by: PersonRef | None


def _correction_out(correction: ThemeCorrection) -> dict:
    return {"id": correction.pk, "kind": correction.kind, "summary": selectors.correction_summary(correction),
            "theme_id": correction.theme_id, "other_id": correction.other_id, "name": correction.name,
            "items": correction.items, "other_items": correction.other_items, "by": correction.by,
            "created_at": correction.created_at, "undone_at": correction.undone_at,
            "undone_by": correction.undone_by}


def _require_correct(request) -> None:
    if not can_correct(request.user):
        raise PermissionDenied("Only learning leads and admins see and undo theme corrections.")


def _out(summary: selectors.ThemeSummary) -> dict:
    theme = summary.theme
    return {
        "id": theme.pk, "title": theme.title, "label": theme.label, "name": theme.name, "count": summary.count,
        "sentence": summary.sentence, "first_seen": summary.first_seen, "last_seen": summary.last_seen,
        "trend": summary.trend_direction,
        "by_source": [{"key": key, "count": count} for key, count in summary.by_source.items()],
        "by_team": [{"key": key, "count": count} for key, count in summary.by_team.items()],
        "by_month": [{"key": month.strftime("%Y-%m"), "count": count} for month, count in summary.by_month.items()],
        "effective_action_ids": [action.pk for action in summary.effective_actions],
        "alerts": [{"action_id": alert.action.pk, "action_title": alert.action.title,
                    "effective_on": alert.effective_on, "since": alert.since, "latest": alert.latest}
                   for alert in summary.alerts],
    }


def _detail(request, theme: Theme) -> dict:
    summary = selectors.theme_detail(request.user, theme, today=timezone.localdate())
    out = _out(summary)
    out["items"] = [{"key": item.key, "source": item.source, "text": item.text, "team": item.team, "on": item.on,
                     "url": item.link} for item in summary.items]
    return out


def _theme(request, theme_id: int) -> Theme:
    theme = selectors.theme_for(request.user, theme_id)
    if theme is None:
        raise Http404("No theme with this id that you may see.")
    return theme


@router.get("/themes", response={200: list[ThemeOut], **errors(400)}, summary="List the recurring themes you see")
@paginate(Pagination)
def list_themes(request, team: Id | None = None, source: SourceName | None = None, month: str = ""):
    """Themes with at least two items you may see, most items first. Filters keep themes with an
    item of that `team` (id), `source` or `month` (YYYY-MM)."""
    try:
        start = parse_month(month)
    except ValidationError as error:
        raise ValidationError({"month": error.messages}) from error
    filters = selectors.Filters(team=team_ref(team, field="team") if team else None,
                                source=Source(source) if source else "", month=start)
    return [_out(summary) for summary in selectors.themes_for(request.user, filters, today=timezone.localdate())]


@router.get("/themes/{theme_id}", response=ThemeDetailOut, summary="One theme with its items")
def get_theme(request, theme_id: Id):
    """A merged theme answers with the theme it went into."""
    return _detail(request, _theme(request, theme_id))


@router.post("/themes/{theme_id}/rename", response={200: ThemeDetailOut, **errors(403)},
             summary="Rename a theme (kept on regrouping)")
def rename_theme(request, theme_id: Id, payload: RenameIn):
    theme = services.rename_theme(by=request.user, theme=_theme(request, theme_id), name=payload.name)
    return _detail(request, theme)


@router.post("/themes/{theme_id}/merge", response={200: ThemeDetailOut, **errors(403)},
             summary="Merge another theme into this one (kept on regrouping)")
def merge_themes(request, theme_id: Id, payload: MergeIn):
    theme = _theme(request, theme_id)
    other = Theme.objects.filter(pk=payload.other_id).first()
    if other is None:
        raise ValidationError({"other_id": "No theme with this id."})
    return _detail(request, services.merge_themes(by=request.user, theme=theme, other=other))


@router.post("/themes/{theme_id}/split", response={201: ThemeDetailOut, **errors(403)},
             summary="Move some items into a new theme (kept on regrouping)")
def split_theme(request, theme_id: Id, payload: SplitIn):
    new = services.split_theme(by=request.user, theme=_theme(request, theme_id), keys=payload.items,
                               name=payload.name)
    return Status(201, _detail(request, new))


@router.get("/theme-corrections", response={200: list[CorrectionOut], **errors(403)},
            summary="List theme corrections, newest first")
@paginate(Pagination)
def list_corrections(request):
    """Every rename, merge and split, including undone ones (learning leads and admins)."""
    _require_correct(request)
    return [_correction_out(correction) for correction in selectors.corrections()]


@router.post("/theme-corrections/{correction_id}/undo", response={200: CorrectionOut, **errors(400, 403)},
             summary="Undo a theme correction (no longer applied on regrouping)")
def undo_correction(request, correction_id: Id):
    _require_correct(request)
    correction = ThemeCorrection.objects.select_related("theme", "other", "by").filter(pk=correction_id).first()
    if correction is None:
        raise Http404("No such correction.")
    services.undo_correction(by=request.user, correction=correction)
    return _correction_out(correction)
