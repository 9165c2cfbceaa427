"""Adjusted p-values for many comparisons at once.

Holm (family-wise error): with p₍₁₎ ≤ … ≤ p₍ₘ₎,  p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎).
Benjamini–Hochberg (false discovery rate): p̃₍ᵢ₎ = min_{j ≥ i} min(1, m/j·p₍ⱼ₎).
Both return the adjusted values in the input order; reject where p̃ ≤ α.
"""

import numpy as np


def _as_p_values(p_values) -> np.ndarray:
    values = np.asarray(p_values, dtype=float)
    if values.ndim != 1:
        raise ValueError("Give a flat list of p-values.")
    if np.any(np.isnan(values)) or np.any((values < 0) | (values > 1)):
        raise ValueError("p-values must lie between 0 and 1.")
    return values


def holm(p_values) -> np.ndarray:
    values = _as_p_values(p_values)
    m = values.size
    order = np.argsort(values, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * values[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return adjusted


def benjamini_hochberg(p_values) -> np.ndarray:
    values = _as_p_values(p_values)
    m = values.size
    order = np.argsort(values, kind="stable")
    scaled = values[order] * (m / np.arange(1, m + 1))  # m/m is exactly 1: the largest p stays put
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return adjusted
