"""One call for a diagram's whole reading: its loops and the archetypes they form, as plain data.

The diagram pages, the API and `learnloop systems loops` all read a diagram through `analyse`, so
the three say the same thing. A diagram is the JSON shape the editor saves:
{"variables": [{"name": ...} or "name", ...], "links": [{"source", "target", "polarity", "delay"}]}.
"""

from learnloop.analytics.systems.archetypes import detect_archetypes
from learnloop.analytics.systems.graph import CausalModel, ModelError
from learnloop.analytics.systems.loops import find_loops

# Bounds for a request (a page save must not hang on a dense diagram): the search says when it
# stopped early, and the page shows that reason.
MAX_LOOPS = 2_000
MAX_SECONDS = 2.0


def variable_names(diagram: dict) -> list[str]:
    names = []
    for item in diagram.get("variables") or ():
        names.append(item.get("name") if isinstance(item, dict) else item)
    return names


def model_of(diagram: dict) -> CausalModel:
    """The CausalModel of a diagram in the editor's JSON shape; ModelError says what is wrong."""
    if not isinstance(diagram, dict):
        raise ModelError("A diagram is an object with \"variables\" and \"links\".")
    links = []
    for item in diagram.get("links") or ():
        if not isinstance(item, dict):
            raise ModelError("Each link is an object with source, target, polarity and delay.")
        links.append({"source": item.get("source"), "target": item.get("target"),
                      "polarity": item.get("polarity", "+"), "delay": bool(item.get("delay"))})
    return CausalModel.build(variable_names(diagram), links)


def analyse(diagram: dict, *, max_loops: int = MAX_LOOPS, max_seconds: float = MAX_SECONDS) -> dict:
    """{"loops": LoopAnalysis.as_dict(), "archetypes": ArchetypeReport.as_dict()} of a diagram."""
    model = model_of(diagram)
    loops = find_loops(model, max_loops=max_loops, max_seconds=max_seconds)
    archetypes = detect_archetypes(model, loops)
    return {"loops": loops.as_dict(), "archetypes": archetypes.as_dict()}
