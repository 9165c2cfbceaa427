"""Seeded generator of experiment comparisons, shared by the peer tests and bench/stats.py.

Each case holds two variants' sufficient statistics as gbstats_driver.py and
learnloop.analytics.stats.VariantAggregates both read them. Samples up to RAW_LIMIT units are
simulated unit by unit and summed; larger ones are drawn from the sampling distributions of the
mean (normal) and of the covariance matrix (Wishart), which is what summing that many units
would give, without the memory.
"""

import numpy as np
from scipy import stats

RAW_LIMIT = 2000
SIZES = (2, 3, 5, 10, 30, 100, 1_000, 20_000, 1_000_000, 50_000_000)


def _log_uniform(rng: np.random.Generator, low: float, high: float) -> float:
    return float(np.exp(rng.uniform(np.log(low), np.log(high))))


def _units(rng: np.random.Generator) -> int:
    anchor = int(rng.choice(SIZES))
    return max(2, int(anchor * rng.uniform(0.8, 1.25)))


def _bivariate_sums(rng, n: int, means, stddevs, correlation) -> dict:
    """Σx, Σx², Σy, Σy², Σxy of n draws from a bivariate normal."""
    covariance = np.array(
        [
            [stddevs[0] ** 2, correlation * stddevs[0] * stddevs[1]],
            [correlation * stddevs[0] * stddevs[1], stddevs[1] ** 2],
        ]
    )
    if n <= RAW_LIMIT:
        draws = rng.multivariate_normal(means, covariance, size=n)
        x, y = draws[:, 0], draws[:, 1]
        return {"sx": x.sum(), "sxx": (x * x).sum(), "sy": y.sum(), "syy": (y * y).sum(), "sxy": (x * y).sum()}
    sample_mean = rng.multivariate_normal(means, covariance / n)
    scatter = stats.wishart(df=n - 1, scale=covariance).rvs(random_state=rng)  # Σ (x - x̄)(x - x̄)ᵀ
    mx, my = sample_mean
    return {
        "sx": n * mx,
        "sxx": scatter[0, 0] + n * mx * mx,
        "sy": n * my,
        "syy": scatter[1, 1] + n * my * my,
        "sxy": scatter[0, 1] + n * mx * my,
    }


def _mean_variant(rng, n, mean, stddev, covariate) -> dict:
    if covariate is None:
        sums = _bivariate_sums(rng, n, [mean, 0.0], [stddev, 1.0], 0.0)
        return {"users": n, "sum": float(sums["sx"]), "sum_squares": float(sums["sxx"])}
    pre_mean, correlation = covariate
    sums = _bivariate_sums(rng, n, [mean, pre_mean], [stddev, stddev * 0.9], correlation)
    return {
        "users": n,
        "sum": float(sums["sx"]),
        "sum_squares": float(sums["sxx"]),
        "covariate_sum": float(sums["sy"]),
        "covariate_sum_squares": float(sums["syy"]),
        "covariate_sum_product": float(sums["sxy"]),
    }


def _binomial_variant(rng, n, rate, covariate) -> dict:
    if covariate is None:
        return {"users": n, "sum": float(rng.binomial(n, rate))}
    # Converted before and converted now, as a 2×2 table: the four cells are multinomial.
    pre_rate, dependence = covariate
    both = rate * pre_rate + dependence * min(rate, pre_rate) * (1 - max(rate, pre_rate))
    cells = [both, rate - both, pre_rate - both, 1 - rate - pre_rate + both]
    counts = rng.multinomial(n, np.clip(cells, 0, None) / np.sum(np.clip(cells, 0, None)))
    converted_now, converted_before = counts[0] + counts[1], counts[0] + counts[2]
    return {
        "users": n,
        "sum": float(converted_now),
        "covariate_sum": float(converted_before),
        "covariate_sum_product": float(counts[0]),
    }


def _ratio_variant(rng, n, numerator_mean, denominator_mean, correlation) -> dict:
    sums = _bivariate_sums(
        rng, n, [numerator_mean, denominator_mean], [numerator_mean * 0.8, denominator_mean * 0.5], correlation
    )
    return {
        "users": n,
        "sum": float(sums["sx"]),
        "sum_squares": float(sums["sxx"]),
        "denominator_sum": float(sums["sy"]),
        "denominator_sum_squares": float(sums["syy"]),
        "denominator_sum_product": float(sums["sxy"]),
    }


def comparison_case(rng: np.random.Generator, *, metric: str, engine: str, cuped: bool = False) -> dict:
    n_control = _units(rng)
    # Mostly balanced, sometimes unequal splits (and so unequal n).
    n_treatment = n_control if rng.random() < 0.5 else max(2, int(n_control * rng.uniform(0.5, 2.0)))
    lift = float(rng.choice([0.0, rng.normal(0, 0.05), rng.normal(0, 0.3)]))
    case = {
        "metric": metric,
        "engine": engine,
        "cuped": cuped,
        "difference": str(rng.choice(["absolute", "relative"])),
        "alpha": float(rng.choice([0.01, 0.05, 0.1, 0.2])),
    }
    if engine == "sequential":
        case["tuning"] = float(rng.choice([100.0, 5000.0, 250_000.0]))
    if engine == "bayesian":
        if rng.random() < 0.4:
            case["prior"] = {"mean": float(rng.normal(0, 0.05)), "stddev": float(rng.choice([0.05, 0.1, 0.3]))}
        case["lower_is_better"] = bool(rng.random() < 0.25)
    if metric == "mean":
        mean = float(rng.choice([-1, 1]) * _log_uniform(rng, 0.01, 1e4)) if rng.random() < 0.1 else _log_uniform(
            rng, 0.01, 1e4
        )
        stddev = abs(mean) * _log_uniform(rng, 0.05, 20)
        covariate = (mean * rng.uniform(0.5, 1.5), float(rng.uniform(0, 0.95))) if cuped else None
        case["control"] = _mean_variant(rng, n_control, mean, stddev, covariate)
        case["treatment"] = _mean_variant(rng, n_treatment, mean * (1 + lift), stddev, covariate)
    elif metric == "binomial":
        rate = _log_uniform(rng, 0.001, 0.9)
        treated = float(np.clip(rate * (1 + lift), 1e-4, 0.999))
        covariate = (float(np.clip(rate * rng.uniform(0.5, 1.5), 1e-4, 0.99)), float(rng.uniform(0, 0.9)))
        case["control"] = _binomial_variant(rng, n_control, rate, covariate if cuped else None)
        case["treatment"] = _binomial_variant(rng, n_treatment, treated, covariate if cuped else None)
    else:
        numerator, denominator = _log_uniform(rng, 0.1, 1e3), _log_uniform(rng, 0.5, 20)
        correlation = float(rng.uniform(-0.3, 0.9))
        case["control"] = _ratio_variant(rng, n_control, numerator, denominator, correlation)
        case["treatment"] = _ratio_variant(rng, n_treatment, numerator * (1 + lift), denominator, correlation)
    return case


def srm_case(rng: np.random.Generator) -> dict:
    variations = int(rng.integers(2, 6))
    weights = rng.dirichlet(np.ones(variations) * 3)
    if rng.random() < 0.2:
        weights = np.ones(variations) / variations
    total = int(rng.choice([20, 500, 10_000, 2_000_000]))
    skew = rng.dirichlet(np.ones(variations) * 200) if rng.random() < 0.3 else weights
    users = rng.multinomial(total, skew / skew.sum())
    return {"srm": {"users": [int(value) for value in users], "weights": [float(value) for value in weights]}}


def generated_cases(seed: int, count: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    kinds = [
        ("mean", False),
        ("binomial", False),
        ("ratio", False),
        ("mean", True),
        ("binomial", True),
    ]
    engines = ["frequentist", "bayesian", "sequential"]
    cases = []
    for index in range(count):
        metric, cuped = kinds[index % len(kinds)]
        engine = engines[(index // len(kinds)) % len(engines)]
        cases.append(comparison_case(rng, metric=metric, engine=engine, cuped=cuped))
    return cases
