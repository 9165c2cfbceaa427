"""Harbourline's systems-thinking demo: the stock-and-flow models (demo_models.py). Built once
over the whole organization, after the knowledge base exists (its live numbers start the runs)."""

from learnloop.systems import demo_models

ORGANIZATION_WIDE = True


def build(context) -> None:
    demo_models.build(context)
