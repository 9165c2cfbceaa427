"""The `fixed` filter prints what Django's floatformat printed on the report pages, faster."""

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat

from learnloop.web.templatetags.numbers import fixed

NUMBERS = [0, 1, 2.5, -2.5, 3.14159, -0.001, -0.4, 0.125, 4.0, 1234.5678, 0.005, -12.345, 99.995]


@pytest.mark.parametrize("value", NUMBERS)
@pytest.mark.parametrize("places", [0, 1, 2, 4])
def test_matches_floatformat_on_numbers(value, places):
    assert fixed(value, places) == floatformat(value, places)


@pytest.mark.parametrize("value", [None, "", "not a number"])
def test_prints_nothing_for_missing_values(value):
    assert fixed(value, 2) == ""


def test_never_prints_minus_zero():
    assert fixed(-0.004, 2) == "0.00"
    assert fixed(-0.3, 0) == "0"


def test_usable_in_templates():
    template = Template("{% load numbers %}{{ mean|fixed:2 }} {{ enps|fixed:0 }}")
    rendered = template.render(Context({"mean": 3.456, "enps": -12.5}))
    assert rendered == "3.46 -13"
