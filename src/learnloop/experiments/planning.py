"""Power planning for the protocol page and the API: how many units per variant a minimum lift needs,
and the smallest lift (MDE) a planned sample detects, at the protocol's alpha.

Binomial metrics use the normal approximation on Cohen's h, mean metrics the two-sample t-test
(analytics/stats/power.py, checked against statsmodels). Lifts are relative to the baseline.
"""

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError

from learnloop.experiments.models import MetricType


@dataclass(frozen=True)
class Plan:
    metric_type: str
    alpha: float
    power: float
    baseline: float
    sd: float | None
    lift: float | None  # relative, 0.05 = +5 %
    sample_per_variant: int | None  # needed for `lift`
    planned_sample: int | None
    mde: float | None  # relative lift detectable with `planned_sample`
    mde_absolute: float | None
    method: str

    def as_dict(self) -> dict:
        return asdict(self)


def plan(*, metric_type: str, alpha: float, baseline: float, lift: float | None = None, sd: float | None = None,
         power: float = 0.8, sample: int | None = None) -> Plan:
    from learnloop.analytics.stats import mde_binomial, mde_mean, sample_size_binomial, sample_size_mean

    if not 0.5 <= power < 1:
        raise ValidationError({"power": "Power lies between 0.5 and 0.99 (0.8 is usual)."})
    if lift is None and sample is None:
        raise ValidationError({"lift": "Give the smallest lift worth finding, or a sample size for the MDE."})
    if lift is not None and lift == 0:
        raise ValidationError({"lift": "A lift of zero needs an infinite sample: give the smallest lift that matters."})
    binomial = metric_type == MetricType.BINOMIAL
    if binomial:
        if not 0 < baseline < 1:
            raise ValidationError({"baseline": "A conversion rate lies between 0 and 1, such as 0.12."})
        if lift is not None and not 0 <= baseline * (1 + lift) <= 1:
            raise ValidationError({"lift": "That lift takes the rate outside 0 to 1."})
        method = "normal approximation on Cohen's h (as statsmodels' NormalIndPower)"
    else:
        if sd is None or sd <= 0:
            raise ValidationError({"sd": "A mean metric needs its standard deviation per unit."})
        if baseline == 0 and lift is not None:
            raise ValidationError({"baseline": "A relative lift needs a baseline other than zero."})
        method = "two-sample t-test with the noncentral t (as statsmodels' TTestIndPower)"
    try:
        needed = None
        if lift is not None:
            needed = (sample_size_binomial(baseline, baseline * (1 + lift), power=power, alpha=alpha) if binomial
                      else sample_size_mean(baseline * lift, sd, power=power, alpha=alpha))
        mde = mde_absolute = None
        if sample is not None:
            mde_absolute = (mde_binomial(baseline, sample, power=power, alpha=alpha) if binomial
                            else mde_mean(sd, sample, power=power, alpha=alpha))
            mde = mde_absolute / abs(baseline) if baseline else None
    except ValueError as error:
        raise ValidationError({"lift" if sample is None else "sample": str(error)}) from None
    return Plan(metric_type=metric_type, alpha=alpha, power=power, baseline=baseline, sd=sd, lift=lift,
                sample_per_variant=needed, planned_sample=sample, mde=mde, mde_absolute=mde_absolute, method=method)
