import numpy as np
import pytest

from learnloop.analytics.psychometrics.factor import minres
from learnloop.analytics.psychometrics.omega import omega_total
from learnloop.analytics.psychometrics.schmid_leiman import general_factor_loadings


def _one_factor_correlation(loadings):
    loadings = np.asarray(loadings)
    correlation = np.outer(loadings, loadings)
    np.fill_diagonal(correlation, 1.0)
    return correlation


def test_minres_recovers_the_loadings_of_an_exact_one_factor_structure():
    loadings = [0.8, 0.7, 0.6, 0.5, 0.4]

    solution = minres(_one_factor_correlation(loadings), n_factors=1)

    assert solution.loadings[:, 0] == pytest.approx(loadings, abs=1e-4)
    assert solution.communalities == pytest.approx(np.square(loadings), abs=1e-4)


def test_omega_total_of_a_one_factor_structure_is_its_textbook_value():
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + (1 - loadings**2).sum())

    assert omega_total(_one_factor_correlation(loadings), n_factors=1) == pytest.approx(expected, abs=1e-4)


def test_an_item_worded_the_other_way_counts_reversed_in_omega():
    loadings = np.array([0.8, 0.7, 0.6, 0.5, 0.4])
    keys = np.array([1, 1, 1, 1, -1])
    as_keyed = _one_factor_correlation(loadings)
    as_asked = as_keyed * np.outer(keys, keys)

    assert omega_total(as_asked, n_factors=1) == pytest.approx(omega_total(as_keyed, n_factors=1), abs=1e-8)


def test_more_factors_than_items_allow_is_refused():
    with pytest.raises(ValueError, match="factors"):
        minres(np.eye(3), n_factors=3)
    with pytest.raises(ValueError, match="three items"):
        omega_total(np.eye(2))


def test_the_general_factor_shows_which_items_run_the_other_way():
    # Nine items on one general factor and three group factors; item 4 is worded the other way.
    general = np.full(9, 0.6)
    groups = np.kron(np.eye(3), np.full((3, 1), 0.4))
    pattern = np.column_stack([general, groups])
    correlation = pattern @ pattern.T
    np.fill_diagonal(correlation, 1.0)
    keys = np.ones(9)
    keys[4] = -1
    as_asked = correlation * np.outer(keys, keys)

    loadings = general_factor_loadings(as_asked, n_factors=3)

    assert np.sign(loadings).tolist() == keys.tolist()
    assert omega_total(as_asked, n_factors=3) == pytest.approx(omega_total(correlation, n_factors=3), abs=1e-8)
