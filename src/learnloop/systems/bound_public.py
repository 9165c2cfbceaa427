"""Bound variables whose figures are read as every reader may see them, so a diagram can show them
to whoever may open it without anyone learning a figure they may not see elsewhere.

- A **survey scale score** ({"metric": "survey_scale_scores", "scale": "INSTRUMENT/SCALE"}) is the
  organization's released score of that scale in each closed campaign of the instrument, read
  through the disclosure gate as a signed-in person with no team and no lead role would see it
  (surveys.reports.trends for the organization node and an anonymous viewer, as the strategy's
  key results read survey scores), and only when that group reached the organization's anonymity
  threshold. It is placed in the month the campaign was closed (closed_at; the later campaign when
  two close in one month). A team's or department's scores are never read, whoever owns the diagram.
- The **theme recurrence rate** ({"metric": "theme_recurrence_rate"}) is the catalogue's formula
  (insights.themes_metrics.recurrence_by_period, per calendar month, for the diagram's scope)
  counted over the theme items everyone may see (themes_permissions.everyone_items_q).
"""

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from learnloop.insights import metrics as insight_metrics
from learnloop.insights import themes_metrics
from learnloop.insights.themes_permissions import everyone_items_q
from learnloop.surveys.models import Dimension, Instrument

SURVEY = "survey_scale_scores"
RECURRENCE = "theme_recurrence_rate"
RECURRENCE_NOTE = gettext_lazy("Counted over the theme items every reader may see (lessons and questions open to "
                               "everyone, organization-wide released survey comments).")
SURVEY_NOTE = gettext_lazy("The organization's released score in the month each campaign closed, as every signed-in "
                           "reader sees it; campaigns below the anonymity threshold are left out.")


def _split(scale: str) -> tuple[str, str]:
    instrument, _, key = scale.partition("/")
    return instrument, key


def scale_exists(scale: str) -> bool:
    instrument, key = _split(scale)
    return bool(instrument and key) and Dimension.objects.filter(instrument__slug=instrument, key=key).exists()


def scale_choices() -> list[tuple[str, str]]:
    """("INSTRUMENT/SCALE", "Instrument: Scale") for every scale of every instrument."""
    return [(f"{slug}/{key}", f"{instrument}: {name}") for slug, key, instrument, name in (
        Dimension.objects.order_by("instrument__name", "instrument_id", "position", "pk")
        .values_list("instrument__slug", "key", "instrument__name", "name"))]


def survey_series(scales, periods) -> dict[str, tuple[str, list, str]]:
    """{scale: (label, one value a month or None, note)} in a fixed number of queries."""
    from learnloop.surveys.disclosure_gate import ORGANIZATION
    from learnloop.surveys.reports import trends

    wanted = {scale: _split(scale) for scale in scales}
    slugs = dict(Instrument.objects.filter(slug__in={slug for slug, _ in wanted.values()}).values_list("pk", "slug"))
    names = {(slug, key): f"{instrument}: {name}" for slug, key, instrument, name in Dimension.objects.filter(
        instrument_id__in=slugs).values_list("instrument__slug", "key", "instrument__name", "name")}
    month_of = {first.strftime("%Y-%m"): index for index, (first, _) in enumerate(periods)}
    values = {scale: [None] * len(periods) for scale in wanted}
    closed_on = {scale: [None] * len(periods) for scale in wanted}
    threshold = insight_metrics.threshold()
    for point in trends(ORGANIZATION, viewer=AnonymousUser())["points"]:
        campaign = point["campaign"]
        closed = timezone.localdate(campaign.closed_at) if campaign.closed_at else campaign.closes_on
        index = month_of.get(closed.strftime("%Y-%m"))
        if index is None or not point["scores"] or (point.get("size") or 0) < threshold:
            continue
        for scale, (slug, key) in wanted.items():
            if slugs.get(campaign.instrument_id) != slug or key not in point["scores"]:
                continue
            if closed_on[scale][index] is None or closed >= closed_on[scale][index]:
                values[scale][index] = point["scores"][key]
                closed_on[scale][index] = closed
    return {scale: (gettext("Survey scale “%(scale)s” (organization, as released)")
                    % {"scale": names.get(wanted[scale], scale)}, values[scale], str(SURVEY_NOTE)) for scale in wanted}


def recurrence_series(team, periods) -> list[float | None]:
    """The theme recurrence rate of each month, over the items everyone may see."""
    return [item.rate for item in themes_metrics.recurrence_by_period(team, periods, items_q=everyone_items_q())]
