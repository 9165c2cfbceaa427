"""The English detector the German page tests rely on finds English and only English."""

from tests.i18n_check import english_left, visible_text


def test_finds_english_in_text_and_read_attributes_but_not_in_scripts():
    html = """<html><head><style>.the{}</style><script>var your = 1;</script></head><body>
    <h1>Maßnahmen</h1><input placeholder="Search lessons"><button aria-label="Close">×</button>
    <input type="submit" value="Save"><p>Keine Einträge</p></body></html>"""
    assert english_left(html) == ["search", "lessons", "close", "save"]
    assert "your" not in visible_text(html)


def test_german_page_with_words_shared_by_both_languages_passes():
    html = "<p>Team Hafenbetrieb: 3 Sessions, Status offen, Feedback von Jana Müller, Experiment läuft (CSV, API)</p>"
    assert english_left(html) == []


def test_allowed_words_are_not_reported():
    assert english_left("<p>Als Markdown (as Markdown)</p>", allowed=frozenset({"as"})) == []


def test_letters_inside_a_random_token_are_not_english_words():
    # A webhook secret or id on the page ("x9you2Add_the") is not prose, whatever letters it holds.
    assert english_left("<p>Geheimnis: x9you2Add_the 7save</p>") == []
    assert english_left("<p>Geheimnis: x9you2 – Save</p>") == ["save"]


def test_a_failing_check_names_the_word_in_its_context():
    from tests.i18n_check import assert_no_english, english_context

    html = "<p>Abc-def Save Änderungen</p>"
    assert english_context(html, "save") == ["Abc-def Save Änderungen"]
    try:
        assert_no_english(html)
    except AssertionError as error:
        assert "'save' in …Abc-def Save Änderungen…" in str(error)
    else:
        raise AssertionError("English was not found")
