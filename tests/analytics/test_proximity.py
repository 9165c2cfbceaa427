import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnloop.analytics.proximity import WINDOW, proximity_bonus
from learnloop.analytics.text import _word_positions_by_pattern, stem, word_positions

EIGEN, DECOMPOSITION = stem("eigenvalue"), stem("decomposition")
IDF = {EIGEN: 2.0, DECOMPOSITION: 1.5}


def test_words_side_by_side_earn_more_than_words_a_few_apart():
    side_by_side = proximity_bonus("Eigenvalue decomposition of matrices", IDF)
    apart = proximity_bonus("Eigenvalue of real and complex decomposition", IDF)
    assert side_by_side > apart > 0


def test_words_further_apart_than_the_window_earn_nothing():
    filler = " ".join(["word"] * WINDOW)
    assert proximity_bonus(f"eigenvalue {filler} decomposition", IDF) == 0.0
    assert proximity_bonus(f"eigenvalue {' '.join(['word'] * (WINDOW - 1))} decomposition", IDF) > 0


def test_words_joined_by_a_hyphen_or_slash_count_as_side_by_side():
    assert proximity_bonus("eigenvalue-decomposition", IDF) == proximity_bonus("eigenvalue decomposition", IDF) > 0


def test_one_query_word_or_one_word_repeated_earns_nothing():
    assert proximity_bonus("eigenvalue eigenvalue eigenvalue", IDF) == 0.0
    assert proximity_bonus("eigenvalue decomposition", {EIGEN: 2.0}) == 0.0


def test_the_bonus_is_bounded_by_the_rarer_words_idf_and_saturates():
    # One close pair: min(idf) × (1 / 1²) × 2.2 / 2.2; many close pairs approach min(idf) × 2.2.
    assert proximity_bonus("eigenvalue decomposition", IDF) == pytest.approx(1.5)
    many = proximity_bonus(" ".join(["eigenvalue decomposition"] * 200), IDF)
    assert 1.5 < many < 1.5 * 2.2


def test_positions_count_words_and_line_breaks_and_follow_stems():
    text = "Eigenvalues of the\ndecomposition, decomposed"
    assert word_positions(text, frozenset({EIGEN, DECOMPOSITION, stem("decomposed")})) == [
        (0, EIGEN), (3, DECOMPOSITION), (4, stem("decomposed")),
    ]


@given(st.text(alphabet=st.sampled_from(list("abcde ’'\n.,-İß")), max_size=200),
       st.sets(st.sampled_from(["ab", "abc", "bca", "dea", "cab", "e"]), min_size=1, max_size=4))
def test_the_fast_scan_finds_exactly_what_the_pattern_finds(text, words):
    # word_positions scans for each stem's prefix with str.find; the pattern path (texts whose
    # length changes when lowercased) must agree with it wherever both can run.
    wanted = frozenset(stem(word) for word in words)
    assert word_positions(text, wanted) == _word_positions_by_pattern(text, wanted)
