"""Power, sample size and minimum detectable effect for a two-variant test.

Mean metrics follow the two-sample t-test (as statsmodels' TTestIndPower): with standardised
effect d = δ/σ, n₁ control units and n₂ = r·n₁ treatment units, the statistic is noncentral t
with ν = n₁ + n₂ − 2 and noncentrality d·√(n₁n₂/(n₁+n₂)); two-sided power is
P(T > t_{1−α/2}) + P(T < −t_{1−α/2}).

Binomial metrics use the normal approximation on Cohen's h = 2·asin√p₂ − 2·asin√p₁ (as
statsmodels' NormalIndPower with proportion_effectsize): power = Φ(h√n_eff − z) + Φ(−h√n_eff − z),
n_eff = 1/(1/n₁ + 1/n₂), z = z_{1−α/2}.

Sample sizes are per control variation (treatment gets ratio × that), rounded up to whole units.
"""

import math

from scipy import special

_MAX_UNITS = 1e12


def _check(alpha: float, ratio: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie strictly between 0 and 1.")
    if ratio <= 0:
        raise ValueError("The treatment/control ratio must be positive.")


def _t_power(standardised_effect: float, n_control: float, alpha: float, ratio: float) -> float:
    n_treatment = n_control * ratio
    dof = n_control + n_treatment - 2
    noncentrality = abs(standardised_effect) * math.sqrt(n_control * n_treatment / (n_control + n_treatment))
    critical = special.stdtrit(dof, 1 - alpha / 2)
    power = float(1 - special.nctdtr(dof, noncentrality, critical) + special.nctdtr(dof, noncentrality, -critical))
    if math.isfinite(power):
        return power
    # scipy's noncentral t gives up for very large samples, where it is the normal distribution anyway.
    return float(special.ndtr(noncentrality - critical) + special.ndtr(-critical - noncentrality))


def _normal_power(effect_size: float, n_control: float, alpha: float, ratio: float) -> float:
    effective = 1 / (1 / n_control + 1 / (n_control * ratio))
    critical = special.ndtri(1 - alpha / 2)
    shift = abs(effect_size) * math.sqrt(effective)
    return float(special.ndtr(shift - critical) + special.ndtr(-critical - shift))


def cohens_h(p_control: float, p_treatment: float) -> float:
    return 2 * math.asin(math.sqrt(p_treatment)) - 2 * math.asin(math.sqrt(p_control))


def power_mean(effect: float, stddev: float, n_control: float, *, alpha: float = 0.05, ratio: float = 1.0) -> float:
    """Chance of a significant two-sided result when the true absolute effect is `effect`."""
    _check(alpha, ratio)
    if stddev <= 0 or n_control * min(ratio, 1) < 2:
        raise ValueError("Power needs a positive standard deviation and at least two units per variation.")
    return _t_power(effect / stddev, n_control, alpha, ratio)


def power_binomial(
    p_control: float, p_treatment: float, n_control: float, *, alpha: float = 0.05, ratio: float = 1.0
) -> float:
    _check(alpha, ratio)
    if not (0 <= p_control <= 1 and 0 <= p_treatment <= 1):
        raise ValueError("Conversion rates must lie between 0 and 1.")
    if n_control <= 0:
        raise ValueError("The sample size must be positive.")
    return _normal_power(cohens_h(p_control, p_treatment), n_control, alpha, ratio)


def _smallest_n(power_at, target: float, minimum: float) -> int:
    if power_at(_MAX_UNITS) < target:
        raise ValueError("The effect is too small to reach that power with any realistic sample.")
    if power_at(minimum) >= target:
        return math.ceil(minimum)
    from scipy import optimize  # imported when needed: it slows every command's start-up

    exact = optimize.brentq(lambda n: power_at(n) - target, minimum, _MAX_UNITS, xtol=1e-6, rtol=1e-12)
    return math.ceil(exact - 1e-9)


def sample_size_mean(
    effect: float, stddev: float, *, power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0
) -> int:
    """Control units needed to detect an absolute effect with the given power (treatment: ratio × that)."""
    _check(alpha, ratio)
    if not 0 < power < 1 or effect == 0 or stddev <= 0:
        raise ValueError("Sample size needs 0 < power < 1, a non-zero effect and a positive standard deviation.")
    minimum = max(2.0, 2.0 / ratio)
    return _smallest_n(lambda n: _t_power(effect / stddev, n, alpha, ratio), power, minimum)


def sample_size_binomial(
    p_control: float, p_treatment: float, *, power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0
) -> int:
    _check(alpha, ratio)
    if not 0 < power < 1 or p_control == p_treatment:
        raise ValueError("Sample size needs 0 < power < 1 and two different conversion rates.")
    effect_size = cohens_h(p_control, p_treatment)
    return _smallest_n(lambda n: _normal_power(effect_size, n, alpha, ratio), power, 1.0)


def mde_mean(stddev: float, n_control: float, *, power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0) -> float:
    """Smallest absolute effect detected with the given power at this sample size."""
    _check(alpha, ratio)
    if not 0 < power < 1 or stddev <= 0 or n_control * min(ratio, 1) < 2:
        raise ValueError("The MDE needs 0 < power < 1, a positive standard deviation and two units per variation.")
    from scipy import optimize

    standardised = optimize.brentq(
        lambda d: _t_power(d, n_control, alpha, ratio) - power, 1e-12, 1e3, xtol=1e-12, rtol=1e-12
    )
    return standardised * stddev


def mde_binomial(
    p_control: float, n_control: float, *, power: float = 0.8, alpha: float = 0.05, ratio: float = 1.0
) -> float:
    """Smallest absolute rise in conversion rate above p_control detected with the given power."""
    _check(alpha, ratio)
    if not 0 < power < 1 or not 0 <= p_control < 1 or n_control <= 0:
        raise ValueError("The MDE needs 0 < power < 1, 0 ≤ p_control < 1 and a positive sample size.")
    if _normal_power(cohens_h(p_control, 1.0), n_control, alpha, ratio) < power:
        raise ValueError("Even a rise to 100 % would not reach that power at this sample size.")
    from scipy import optimize

    p_treatment = optimize.brentq(
        lambda p: _normal_power(cohens_h(p_control, p), n_control, alpha, ratio) - power,
        p_control,
        1.0,
        xtol=1e-14,
    )
    return p_treatment - p_control

