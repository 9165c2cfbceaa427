import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnloop.analytics.text import (
    analyze,
    bm25_idf,
    compound_joins,
    compound_splits,
    cosine,
    distinctive_terms,
    highlight,
    query_terms,
    tfidf_vector,
)


def test_analysis_lowercases_stems_and_drops_stop_words():
    assert analyze("The Deployments were ROLLED back") == ["deploy", "roll", "back"]


def test_possessives_and_curly_apostrophes_fold_together():
    assert analyze("team's") == analyze("team\u2019s") == analyze("teams")


def test_query_syntax_is_never_interpreted():
    hostile = '"rollback" AND (deploy OR title:* \\ -NOT) 🚀 ((('
    # Operators are just words: "and"/"or" are stop words, "NOT" and "title" are searched as words.
    assert query_terms(hostile) == ["rollback", "deploy", "titl", "not"]


def test_huge_queries_are_cut_to_a_bounded_number_of_terms():
    query = " ".join(f"word{number}" for number in range(5000))
    assert len(query_terms(query)) == 32
    assert query_terms("x" * 10_000) == []


def test_bm25_idf_matches_lucene():
    assert bm25_idf(1000, 10) == pytest.approx(math.log(1 + (1000 - 10 + 0.5) / (10 + 0.5)))
    assert bm25_idf(1000, 1000) > 0
    assert bm25_idf(1000, 1) > bm25_idf(1000, 100)


def test_distinctive_terms_prefer_rare_words():
    df = {"deploy": 900, "kafka": 3, "consum": 10}
    assert set(distinctive_terms("deploy deploy kafka consumer lag", df, 1000, limit=2)) == {"kafka", "lag"}
    assert "deploy" not in distinctive_terms("deploy deploy kafka consumer lag", df, 1000, limit=3)


def test_cosine_of_identical_texts_is_one_and_of_disjoint_texts_zero():
    idf = {"kafka": 2.0, "lag": 1.0, "invoic": 3.0}
    a = tfidf_vector("kafka consumer lag", idf)
    assert cosine(a, a) == pytest.approx(1.0)
    assert cosine(a, tfidf_vector("invoices", idf)) == 0.0


def test_cosine_agrees_with_a_dense_computation():
    import numpy as np

    idf = {"kafka": 2.0, "lag": 1.0, "consum": 1.5, "retri": 0.7}
    a = tfidf_vector("kafka kafka consumer lag", idf)
    b = tfidf_vector("consumer lag retries", idf)
    vocabulary = sorted(set(a) | set(b))
    dense_a = np.array([a.get(term, 0.0) for term in vocabulary])
    dense_b = np.array([b.get(term, 0.0) for term in vocabulary])
    expected = dense_a @ dense_b / (np.linalg.norm(dense_a) * np.linalg.norm(dense_b))
    assert cosine(a, b) == pytest.approx(expected)


def test_highlight_marks_stemmed_matches_and_escapes_everything_else():
    html = highlight('<img src=x onerror="alert(1)"> Deploys & rollbacks', query_terms("deploy rollback"))
    assert "<img" not in html
    assert "&lt;img" in html
    assert "<mark>Deploys</mark>" in html
    assert "<mark>rollbacks</mark>" in html
    assert "&amp;" in html


def test_highlight_excerpts_long_text_around_the_first_match():
    text = "filler " * 200 + "the kafka consumer lagged" + " more" * 200
    html = highlight(text, query_terms("kafka"), max_length=120)
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>kafka</mark>" in html
    assert len(html) < 200


def test_compound_splits_offer_every_reading_with_parts_of_three_letters_or_more():
    splits = compound_splits("rollback")
    assert ("roll", "back") in splits
    assert all(len(part) >= 3 for pair in splits for part in pair)
    assert not any("the" in pair for pair in compound_splits("thebook"))  # stop words are no part
    assert compound_splits("abcde") == []


def test_compound_joins_pair_adjacent_words_skipping_stop_words():
    assert compound_joins("roll back the deploy") == [("roll", "back", "rollback"), ("back", "deploy", "backdeploy")]
    assert compound_joins("runbook") == []


def test_compound_joins_leave_words_shorter_than_three_letters_alone():
    assert compound_joins("Robot OS") == []
    assert compound_joins("no C") == []
    assert compound_joins("run book") == [("run", "book", "runbook")]
    # Written with a hyphen, short parts join too.
    assert compound_joins("re-entry motions") == [("re", "entri", "reentri"), ("entri", "motion", "entrymot")]


@pytest.mark.parametrize(
    ("text", "whole", "parts"),
    [
        ("__dir__", "__dir__", ["dir"]),
        ("snake_case", "snake_case", ["snake", "case"]),
        ("os.path.join(x)", "os.path.join", ["os", "path", "join"]),
        ("C++", "c++", ["c"]),
        ("C# code", "c#", ["c"]),
        ("the .NET runtime", ".net", ["net"]),
        ("CamelCase", "camelcas", ["camel", "case"]),
        ("__init__.py", "__init__.py", ["init", "py"]),
    ],
)
def test_identifiers_are_kept_whole_and_by_parts(text, whole, parts):
    terms = analyze(text)
    assert whole in terms
    assert all(part in terms for part in parts)


def test_prose_punctuation_makes_no_identifiers():
    assert analyze("The end. Next one, then (more)!") == ["end", "next", "one", "more"]
    assert analyze("team's work") == ["team", "work"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        # Latin connectives are dropped, not read as the letters "e", "g", "i".
        ("methods (e.g. surveys), i.e., tools", ["method", "survey", "tool"]),
        ("E.G. Surveys", ["survey"]),
        # Other abbreviations are one word, their letters joined.
        ("in the U.S.A. and the U.K.", ["usa", "uk"]),
        ("by H.C. Smith", ["hc", "smith"]),
        # Not abbreviations: code (no dot after the last letter), initials alone, "IE" as a word.
        ("x.y.z", ["x", "y", "z", "x.y.z"]),
        ("J. Smith", ["j", "smith"]),
        ("IE 11 crashes", ["ie", "11", "crash"]),
    ],
)
def test_dotted_abbreviations_are_one_word_and_connectives_none(text, terms):
    assert analyze(text) == terms


def test_a_query_with_e_g_matches_no_entry_by_its_letters():
    # The letters of "e.g." used to be query terms of their own, rare and so weighty.
    assert query_terms("retrieval systems, e.g. online catalogues") == ["retriev", "system", "onlin", "catalogu"]


def test_stemming_from_many_threads_at_once_gives_each_word_its_own_stem():
    # The server's threaded workers stem search queries and highlights concurrently.
    import threading

    from learnloop.analytics import text

    words = [f"{base}{suffix}" for base in ("deploy", "rollback", "relation", "generous", "connect", "hope")
             for suffix in ("", "s", "ing", "ed", "ational", "ization", "fulness", "iveness", "ously")] * 60
    expected = [text.stem_uncached(word) for word in words]
    results, failures = {}, []

    def work(number):
        try:
            results[number] = [text.stem_uncached(word) for word in words]
        except Exception as error:  # a shared stemmer fails with IndexError, or returns wrong stems
            failures.append(error)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert all(result == expected for result in results.values())


def test_highlight_finds_a_match_deep_inside_a_long_text_and_shows_only_its_neighbourhood():
    text = "Ordinary words about nothing in particular. " * 1200 + "The Kafka consumers lagged behind."
    html = highlight(text, query_terms("kafka consumer"))
    assert len(text) > 50_000
    assert "<mark>Kafka</mark> <mark>consumers</mark>" in html
    assert html.startswith("…") and len(html) < 400


def test_highlight_never_marks_a_word_cut_short_where_the_excerpt_was_cut_from_a_long_text():
    # "sql" is not the query's "sq"; cut from a longer text just after "sq", it looked like it
    # (and the excerpt moved to it). No match: the excerpt is the text's opening.
    for padding in range(1, 1200):
        text = "word " * 40 + "z" * padding + " sql " + "more " * 300
        html = highlight(text, ["sq"])
        assert html.startswith("word word") and "<mark>" not in html, padding


def test_highlight_finds_the_first_match_of_any_query_word_in_a_long_text():
    # The other words' prefixes are looked for only before the first found: the earliest wins.
    text = "filler " * 3000 + "rollback " + "filler " * 10 + "deploy " + "filler " * 3000 + "rollback"
    html = highlight(text, query_terms("deploy rollback"))
    assert "<mark>rollback</mark> filler" in html and "<mark>deploy</mark>" in html


def test_a_short_query_word_found_inside_many_words_does_not_stop_the_others_being_found():
    # "ab" occurs inside every "cab", and no "cab" is a match: it gives up on its own budget of
    # looks, and "zoom" is still found (each word's looks are counted apart).
    text = "cab " * 2_000 + "then zoom in " + "cab " * 100
    html = highlight(text, ["ab", "zoom"])
    assert "<mark>zoom</mark>" in html and html.startswith("…")


def test_highlight_marks_every_stemmed_form_of_a_word():
    forms = "possibility happiness happy generously relational organization deployments Running team’s"
    html = highlight(forms, analyze(forms), max_length=500)
    assert html.count("<mark>") == len(forms.split())


def test_highlight_cleans_and_escapes_only_the_excerpt_and_keeps_payloads_escaped():
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    text = "padding " * 5000 + f"**deploy** {payload} rollback " + "tail " * 5000
    html = highlight(text, query_terms("deploy rollback"), clean=lambda piece: piece.replace("**", ""))
    assert "<mark>deploy</mark>" in html and "<mark>rollback</mark>" in html
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "**" not in html


WORD_PIECES = [*"ab Z'’_-.\n9éİßẞǅ\u0307", "x" * 41, "y" * 39 + "'s"]


@given(st.lists(st.sampled_from(WORD_PIECES), max_size=60).map("".join))
def test_words_split_the_whole_text_at_once_exactly_as_word_by_word(sample):
    # Indexing lowercases a text once and splits it with one findall; that must never change
    # which words come out (length limit, apostrophes, letters that lowercase to two).
    from learnloop.analytics import text

    expected = [
        match.group(0).lower().replace("'", "").replace("’", "")
        for match in text.WORD.finditer(sample) if len(match.group(0)) <= text.MAX_TOKEN_LENGTH
    ]
    assert text.words(sample) == expected


def test_the_stem_cache_stays_bounded(monkeypatch):
    from learnloop.analytics import text

    monkeypatch.setattr(text, "STEM_CACHE_SIZE", 50)
    for number in range(500):
        assert text.stem(f"deploying{number}x") == text.stem_uncached(f"deploying{number}x")
    assert len(text._stems) <= 50
    assert text.stem("deployments") == "deploy"
