"""How the strategy pages print key-result figures: shares as percentages, others with two decimals."""

from django import template

register = template.Library()


@register.filter
def measure(value, unit: str = "") -> str:
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if unit == "share":
        return f"{100 * number:.1f}%"
    return f"{number:.2f}".rstrip("0").rstrip(".") if number != int(number) else f"{int(number)}"


@register.filter
def share(value) -> str:
    if value is None:
        return "—"
    return f"{100 * float(value):.0f}%"


@register.filter
def step_class(status: str) -> str:
    return "step-" + status.replace(" ", "-")
