"""Systems thinking, pure: loops and archetypes of causal loop diagrams, stock-and-flow
simulation through PySD, sensitivity runs and the diagram-to-skeleton step. docs/systems.md.

Loop and archetype analysis are plain Python; `simulation` and `sensitivity` import PySD,
pandas and numpy inside their functions only, so importing this package stays cheap."""

from learnloop.analytics.systems.archetypes import ArchetypeMatch, ArchetypeReport, detect_archetypes
from learnloop.analytics.systems.graph import CausalModel, Link, ModelError
from learnloop.analytics.systems.loops import Loop, LoopAnalysis, elementary_cycles, find_loops

__all__ = ["ArchetypeMatch", "ArchetypeReport", "CausalModel", "Link", "Loop", "LoopAnalysis", "ModelError",
           "detect_archetypes", "elementary_cycles", "find_loops"]
