"""`fixed`: a number with a fixed count of decimals, for pages that print hundreds of them.

Django's `floatformat` localizes and parses its argument on every call (about 90 µs each); the
survey report prints several hundred numbers, so it spent more time formatting than deciding.
`fixed` rounds the same way (half away from zero, on the number as written) and never prints
"-0".
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

_STEPS = {places: Decimal(1).scaleb(-places) for places in range(7)}


@register.filter
def fixed(value, places: int = 1) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(repr(float(value)))
    except (TypeError, ValueError, InvalidOperation):
        return ""
    if not number.is_finite():
        return str(value)
    text = f"{number.quantize(_STEPS[int(places)], rounding=ROUND_HALF_UP):f}"
    if text.startswith("-") and not text.strip("-0."):
        return text[1:]
    return text
