"""Harbourline's systems models: causal loop diagrams (demo_diagrams)."""

from learnloop.systems import demo_diagrams

# Built once after the sites, so the recurring themes (an organization-wide part) exist to attach.
ORGANIZATION_WIDE = True


def build(context) -> None:
    demo_diagrams.build(context)
