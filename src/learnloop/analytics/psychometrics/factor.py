"""Minimum-residual factor analysis, as psych::fa runs it.

Minres (Harman's minimum residual, psych::fa's default `fm = "minres"`) looks for uniquenesses
ψ that minimise the squared off-diagonal residuals of R − ΛΛᵀ, Λ being the loadings from the
leading eigenvectors of R with 1 − ψ on its diagonal. We run the same search psych::fa runs:
the same objective (residuals below the diagonal) and gradient (diag(ΛΛᵀ + diag(ψ) − R)),
L-BFGS-B from the same start (ψ = 1 − SMC) within the same bounds (0.005 ≤ ψ ≤ 1), with R's
`optim` defaults as psych calls it (parscale 0.01, factr 1e7, 5 correction pairs). That is
deliberate: when a model has more parameters than the correlations can pin down (three
factors for five items, psych::omega's default on a short scale), the answer depends on where
the search stops, and following psych's search reproduces psych's answer. Communalities are
h² = row sums of Λ², as psych reports them.
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from learnloop.analytics.psychometrics.matrices import squared_multiple_correlations

LOWER_UNIQUENESS = 0.005  # psych::fa's lower bound for minres
PARSCALE = 0.01  # psych::fa's optim control


@dataclass(frozen=True)
class FactorSolution:
    loadings: np.ndarray  # items × factors, unrotated
    uniquenesses: np.ndarray  # the fitted ψ

    @property
    def communalities(self) -> np.ndarray:
        return (self.loadings**2).sum(axis=1)


def _leading_loadings(reduced: np.ndarray, n_factors: int, floor: float) -> np.ndarray:
    values, vectors = np.linalg.eigh(reduced)
    top = np.argsort(values)[::-1][:n_factors]
    return vectors[:, top] * np.sqrt(np.maximum(values[top], floor))


def _residual_objective(uniquenesses: np.ndarray, correlation: np.ndarray, n_factors: int) -> float:
    reduced = correlation.copy()
    np.fill_diagonal(reduced, 1.0 - uniquenesses)
    # psych lifts eigenvalues below machine epsilon to 100 epsilon before taking square roots.
    loadings = _leading_loadings(reduced, n_factors, floor=100 * np.finfo(float).eps)
    residual = (reduced - loadings @ loadings.T)[np.tril_indices(len(uniquenesses), -1)]
    return float((residual**2).sum())


def _residual_gradient(uniquenesses: np.ndarray, correlation: np.ndarray, n_factors: int) -> np.ndarray:
    loadings = _leading_loadings(correlation - np.diag(uniquenesses), n_factors, floor=0.0)
    return np.diag(loadings @ loadings.T) + uniquenesses - np.diag(correlation)


def minres(correlation: np.ndarray, n_factors: int = 1) -> FactorSolution:
    correlation = np.asarray(correlation, dtype=float)
    n_items = correlation.shape[0]
    if not 1 <= n_factors < n_items:
        raise ValueError(f"Can't fit {n_factors} factors to {n_items} items.")
    start = 1.0 - squared_multiple_correlations(correlation)
    # R's optim searches over ψ / parscale; doing the same keeps the search on psych's path.
    result = optimize.minimize(
        lambda scaled: _residual_objective(scaled * PARSCALE, correlation, n_factors),
        start / PARSCALE,
        jac=lambda scaled: _residual_gradient(scaled * PARSCALE, correlation, n_factors) * PARSCALE,
        method="L-BFGS-B",
        bounds=[(LOWER_UNIQUENESS / PARSCALE, 1.0 / PARSCALE)] * n_items,
        options={"ftol": 1e7 * np.finfo(float).eps, "gtol": 0.0, "maxcor": 5, "maxiter": 100},
    )
    uniquenesses = result.x * PARSCALE
    loadings = _leading_loadings(correlation - np.diag(uniquenesses), n_factors, floor=0.0)
    # Factors' signs are arbitrary: like psych, make each factor's loadings sum positive.
    signs = np.where(loadings.sum(axis=0) < 0, -1.0, 1.0)
    return FactorSolution(loadings=loadings * signs, uniquenesses=uniquenesses)
