"""Number formats for the registry's pages: signed percentages and p-values as people read them."""

import math

from django import template

register = template.Library()


@register.filter
def signed_percent(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    return f"{value * 100:+.1f}%".replace("-", "−")


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.0f}%"


@register.filter
def pvalue(value) -> str:
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def bar_height(count, busiest) -> int:
    return round(100 * count / busiest) if busiest else 0


@register.filter
def decision_label(value) -> str:
    """A recommended decision ("ship") as people read it, in the page's language."""
    from learnloop.experiments.models import Decision

    return Decision(value).label if value in Decision.values else value
