"""The protocol's multiple-testing correction, applied across every comparison of one analysis.

An experiment that looks at several metrics (and variants) has several chances to find something
by luck. The protocol pre-registers how p-values are adjusted together: none (the primary metric
is the one confirmatory test), Holm (family-wise error) or Benjamini–Hochberg (false discovery
rate). The family is every metric × variant comparison with a p-value in one snapshot (or, for a
process experiment, every metric); verdicts use the adjusted values.
"""

from learnloop.experiments.models import Correction


def adjust(correction: str, items) -> None:
    """Set `p_value_adjusted` on every item with a p-value (None when no correction applies)."""
    tested = [item for item in items if item.p_value is not None]
    for item in items:
        item.p_value_adjusted = None
    if correction == Correction.NONE or len(tested) < 2:
        return
    from learnloop.analytics.stats import benjamini_hochberg, holm

    method = holm if correction == Correction.HOLM else benjamini_hochberg
    for item, adjusted in zip(tested, method([item.p_value for item in tested]), strict=True):
        item.p_value_adjusted = float(adjusted)
