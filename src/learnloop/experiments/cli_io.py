"""Printing experiment analyses for `learnloop experiment analyze`, as JSON or as a table."""

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the statistics (numpy, scipy) load when a file is analysed, not with the app
    from learnloop.analytics.stats import MetricAnalysis


def _count(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _finite(value):
    return value if not isinstance(value, float) or math.isfinite(value) else None


def analysis_as_json(analysis: "MetricAnalysis", adjusted_p_values: list[float] | None = None) -> dict:
    bayesian = analysis.engine == "bayesian"
    results = []
    for index, result in enumerate(analysis.results):
        item = {
            "variation": result.variation,
            "users": _count(result.users),
            "mean": result.mean,
            "control_mean": result.control_mean,
            "effect": result.effect,
            "ci_low": result.ci_low,
            "ci_high": result.ci_high,
        }
        if bayesian:
            item["chance_to_win"] = result.chance_to_win
            item["expected_loss"] = result.expected_loss
        else:
            item["p_value"] = result.p_value
            if adjusted_p_values is not None:
                item["adjusted_p_value"] = adjusted_p_values[index]
        item["error"] = result.error
        results.append({key: _finite(value) for key, value in item.items()})
    return {
        "control": analysis.control,
        "control_users": _count(analysis.control_users),
        "metric_type": analysis.metric_type,
        "engine": analysis.engine,
        "difference": analysis.difference,
        "alpha": analysis.alpha,
        "cuped": analysis.cuped,
        "results": results,
        "srm_p_value": analysis.srm_p_value,
    }


def _format_effect(value: float, relative: bool) -> str:
    return f"{value * 100:+.2f}%" if relative else f"{value:+.4g}"


def analysis_as_table(analysis: "MetricAnalysis", adjusted_p_values: list[float] | None = None) -> str:
    relative = analysis.difference == "relative"
    bayesian = analysis.engine == "bayesian"
    level = f"{(1 - analysis.alpha) * 100:g}%"
    interval = "credible interval" if bayesian else ("confidence sequence" if analysis.engine == "sequential"
                                                     else "confidence interval")
    header = ["variation", "users", "mean", f"{analysis.difference} effect", f"{level} {interval}"]
    header += ["chance to win", "expected loss"] if bayesian else ["p-value"]
    if adjusted_p_values is not None:
        header.append("adjusted p")
    control_mean = analysis.results[0].control_mean
    label = analysis.control if analysis.control.lower() == "control" else f"{analysis.control} (control)"
    control_row = [label, f"{analysis.control_users:g}", f"{control_mean:.6g}"] + [""] * (len(header) - 3)
    lines = [header, control_row]
    for index, result in enumerate(analysis.results):
        row = [
            result.variation,
            f"{result.users:g}",
            f"{result.mean:.6g}",
            _format_effect(result.effect, relative),
            f"[{_format_effect(result.ci_low, relative)}, {_format_effect(result.ci_high, relative)}]",
        ]
        if bayesian:
            row += [f"{result.chance_to_win * 100:.1f}%", _format_effect(result.expected_loss, relative).lstrip("+")]
        else:
            row.append(f"{result.p_value:.4g}")
        if adjusted_p_values is not None:
            row.append(f"{adjusted_p_values[index]:.4g}")
        lines.append(row)
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in lines]
    notes = [f"Sample ratio mismatch check: p = {analysis.srm_p_value:.4g}"]
    if analysis.srm_p_value < 0.001:
        notes[0] += "  WARNING: the traffic split is off; do not trust these results until it is explained."
    if analysis.cuped:
        notes.append("Variance reduced with CUPED (pre-experiment covariate).")
    notes += [f"{result.variation}: not analysed — {result.error}." for result in analysis.results if result.error]
    return "\n".join([*text, "", *notes]) + "\n"
