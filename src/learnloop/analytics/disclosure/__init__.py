"""Survey disclosure control: which aggregates a viewer may see so that nobody can be singled out.

`decide(counts, requested, k=...)` takes respondents per cell and the requested groups (for
surveys, `cuts.breakdowns(...)`: hierarchy nodes alone or crossed with one or two attribute
values) and releases a group only if, with everything already shown to that viewer, no
combination of shown groups isolates fewer than k respondents — checked exactly, not by rule
of thumb. See docs/anonymity.md for the threat model and guarantees.
"""

from learnloop.analytics.disclosure.cuts import Attribute, Respondent, breakdowns
from learnloop.analytics.disclosure.engine import Audit, decide
from learnloop.analytics.disclosure.groups import DEFAULT_K, MIN_K, Decision, Group, cell_counts, validate_k

__all__ = [
    "DEFAULT_K",
    "MIN_K",
    "Attribute",
    "Audit",
    "Decision",
    "Group",
    "Respondent",
    "breakdowns",
    "cell_counts",
    "decide",
    "validate_k",
]
