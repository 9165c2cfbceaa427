"""Turning the registry's HTML forms into service arguments. Problems raise ValidationError with the
field they belong to, so the page can show them next to it and keep everything that was typed."""

from datetime import date

from django.core.exceptions import ValidationError

from learnloop.experiments.models import MetricType

DIRECTIONS = {"lower": True, "higher": False, "lower is better": True, "higher is better": False}


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _percent(value: str, *, field: str, line: str) -> float:
    try:
        return float(value.strip().rstrip("%")) / 100
    except ValueError:
        raise ValidationError({field: f"“{line}”: the threshold is a percentage such as 5%."}) from None


def percent_or_none(value: str, *, field: str) -> float | None:
    """A percentage typed into a form (5 or 5%) as a share (0.05); empty is None."""
    value = (value or "").strip()
    return None if not value else _percent(value, field=field, line=value)


def parse_guardrails(text: str) -> list[dict]:
    """One guardrail a line: `name; type; lower|higher; threshold%` (type, direction and threshold optional)."""
    guardrails = []
    for line in lines(text):
        parts = [part.strip() for part in line.split(";")]
        spec = {"name": parts[0], "metric_type": MetricType.BINOMIAL, "lower_is_better": False, "threshold": 0.0}
        if len(parts) > 1 and parts[1]:
            if parts[1].lower() not in MetricType.values:
                raise ValidationError({"guardrails": f"“{line}”: the type is mean, binomial or ratio."})
            spec["metric_type"] = parts[1].lower()
        if len(parts) > 2 and parts[2]:
            if parts[2].lower() not in DIRECTIONS:
                raise ValidationError({"guardrails": f"“{line}”: say whether lower or higher is better."})
            spec["lower_is_better"] = DIRECTIONS[parts[2].lower()]
        if len(parts) > 3 and parts[3]:
            spec["threshold"] = _percent(parts[3], field="guardrails", line=line)
        if len(parts) > 4:
            raise ValidationError({"guardrails": f"“{line}”: expected name; type; lower|higher; threshold%."})
        guardrails.append(spec)
    return guardrails


def parse_date(value: str, *, field: str) -> date | None:
    if not (value or "").strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({field: f"“{value}” is not a date (YYYY-MM-DD)."}) from None


def registration(data) -> dict:
    """The register form's fields as register_experiment's keyword arguments (team is looked up apart)."""
    return {
        "title": data.get("title", ""),
        "kind": data.get("kind", "online"),
        "design": data.get("design", "randomised"),
        "change": data.get("change", ""),
        "effect": data.get("effect", ""),
        "population": data.get("population", ""),
        "success_metric": data.get("success_metric", ""),
        "expected_delta": data.get("expected_delta", ""),
        "variants": lines(data.get("variants", "")),
        "primary_metric": {
            "name": data.get("primary_name", ""),
            "metric_type": data.get("primary_type", "binomial"),
            "lower_is_better": data.get("primary_lower") == "on",
        },
        "guardrails": parse_guardrails(data.get("guardrails", "")),
        "engine": data.get("engine", "frequentist"),
        "alpha": data.get("alpha", "0.05"),
        "planned_sample_per_variant": data.get("planned_sample_per_variant", ""),
        "stopping_rule": data.get("stopping_rule", ""),
    }


def snapshot_rows(data, variants) -> list[dict]:
    """Per-variant figures typed into the results form, control first."""
    rows = []
    for variant in variants:
        row = {"variation": variant.name}
        for column in ("users", "sum", "sum_squares", "denominator_sum", "denominator_sum_squares",
                       "denominator_sum_product"):
            value = (data.get(f"{column}_{variant.pk}") or "").strip()
            if value:
                row[column] = value
        rows.append(row)
    return rows
