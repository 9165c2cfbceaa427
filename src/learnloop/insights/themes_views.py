"""Themes pages: the list (filter by team, source and month), a theme's detail, and corrections.

Views parse (forms), call themes_selectors / themes_services, and render. A theme the viewer sees
no item of is a 404; a correction by someone who may not correct is a 403 (the service decides).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.insights import themes_selectors as selectors
from learnloop.insights import themes_services as services
from learnloop.insights.themes_forms import MergeForm, RenameForm, SplitForm, ThemeFilterForm
from learnloop.insights.themes_models import ThemeCorrection
from learnloop.insights.themes_permissions import can_correct
from learnloop.web.forms import apply_validation_error

LIST_LIMIT = 100


@login_required
def theme_list(request):
    form = ThemeFilterForm(request.GET or None)
    filters = selectors.Filters()
    if form.is_bound and form.is_valid():
        filters = selectors.Filters(team=form.cleaned_data["team"], source=form.cleaned_data["source"],
                                    month=form.cleaned_data["month"])
    themes = selectors.themes_for(request.user, filters, today=timezone.localdate(), limit=LIST_LIMIT + 1)
    return render(request, "insights/themes.html", {
        "form": form, "themes": themes[:LIST_LIMIT], "more": len(themes) > LIST_LIMIT, "limit": LIST_LIMIT,
        "can_correct": can_correct(request.user),
    })


def _theme_or_404(request, theme_id: int):
    theme = selectors.theme_for(request.user, theme_id)
    if theme is None:
        raise Http404("No theme here that you may see.")
    return theme


def _detail(request, theme, *, rename=None, merge=None, split=None, status=200):
    summary = selectors.theme_detail(request.user, theme, today=timezone.localdate())
    correcting = can_correct(request.user)
    if correcting:
        rename = rename or RenameForm(initial={"name": theme.title})
        merge = merge or MergeForm(choices=selectors.mergeable_themes(request.user, theme))
        split = split or SplitForm(keys=[item.key for item in summary.items])
    # The month bars are drawn by the dashboards' ECharts script from the same figures as the
    # "By month" table (no hand-drawn SVG).
    trend_chart = [{"id": "theme-trend", "kind": "stacked", "title": _("Items per month"),
                    "x": [date_format(month, "M Y") for month, _count in summary.trend],
                    "series": [{"name": _("Items"), "values": [count for _month, count in summary.trend],
                                "stack": "items"}]}]
    return render(request, "insights/theme_detail.html", {
        "theme": theme, "summary": summary, "can_correct": correcting, "trend_chart": trend_chart,
        "rename_form": rename, "merge_form": merge, "split_form": split,
    }, status=status)


@login_required
def theme_detail(request, theme_id: int):
    theme = _theme_or_404(request, theme_id)
    if theme.pk != theme_id:
        return redirect("insights:theme", theme.pk)  # merged into another
    return _detail(request, theme)


@login_required
@require_POST
def theme_rename(request, theme_id: int):
    theme = _theme_or_404(request, theme_id)
    form = RenameForm(request.POST)
    if form.is_valid():
        try:
            services.rename_theme(by=request.user, theme=theme, name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Theme renamed. The name is kept when themes are regrouped."))
            return redirect("insights:theme", theme.pk)
    return _detail(request, theme, rename=form, status=400)


@login_required
@require_POST
def theme_merge(request, theme_id: int):
    theme = _theme_or_404(request, theme_id)
    if not can_correct(request.user):
        raise PermissionDenied("Only learning leads and admins correct themes.")
    form = MergeForm(request.POST, choices=selectors.mergeable_themes(request.user, theme))
    if form.is_valid():
        try:
            services.merge_themes(by=request.user, theme=theme, other=form.cleaned_data["other"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Themes merged. The merge is kept when themes are regrouped."))
            return redirect("insights:theme", theme.pk)
    return _detail(request, theme, merge=form, status=400)


@login_required
@require_POST
def theme_split(request, theme_id: int):
    theme = _theme_or_404(request, theme_id)
    if not can_correct(request.user):
        raise PermissionDenied("Only learning leads and admins correct themes.")
    keys = list(theme.items.values_list("key", flat=True))
    form = SplitForm(request.POST, keys=keys)
    if form.is_valid():
        try:
            new = services.split_theme(by=request.user, theme=theme, keys=form.cleaned_data["items"],
                                       name=form.cleaned_data["name"])
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, _("Items moved into a new theme. The split is kept when themes are regrouped."))
            return redirect("insights:theme", new.pk)
    return _detail(request, theme, split=form, status=400)


CORRECTIONS_LIMIT = 200


@login_required
def theme_corrections(request):
    """Every rename, merge and split (newest first), each with an Undo while it stands."""
    if not can_correct(request.user):
        raise PermissionDenied("Only learning leads and admins see and undo theme corrections.")
    found = selectors.corrections(limit=CORRECTIONS_LIMIT + 1)
    return render(request, "insights/theme_corrections.html", {
        "corrections": [(correction, selectors.correction_summary(correction))
                        for correction in found[:CORRECTIONS_LIMIT]],
        "more": len(found) > CORRECTIONS_LIMIT, "limit": CORRECTIONS_LIMIT,
    })


@login_required
@require_POST
def theme_correction_undo(request, correction_id: int):
    correction = ThemeCorrection.objects.select_related("theme", "other").filter(pk=correction_id).first()
    if correction is None:
        raise Http404("No such correction.")
    try:
        services.undo_correction(by=request.user, correction=correction)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Correction undone. It is no longer applied when themes are regrouped."))
    return redirect("insights:theme-corrections")
