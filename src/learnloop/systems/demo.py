"""Harbourline's systems thinking: causal loop diagrams (demo_diagrams.py) and stock-and-flow
models (demo_models.py). Built once over the whole organization, after the sites: the diagrams
attach to recurring themes (an organization-wide part) and the models start from the knowledge
base's live numbers."""

from learnloop.systems import demo_diagrams, demo_models

ORGANIZATION_WIDE = True


def build(context) -> None:
    demo_diagrams.build(context)
    demo_models.build(context)
