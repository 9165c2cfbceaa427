from learnloop.analytics.grouping import similarity_matrix, suggest_groups


def test_cards_about_the_same_thing_are_suggested_together():
    texts = [
        "The deploy pipeline was slow again",
        "Lunch together on Fridays was great",
        "Deploys took forever because the pipeline is slow",
        "Nobody reviewed pull requests on time",
        "Pull requests waited days for a review",
    ]
    groups = {suggestion.members for suggestion in suggest_groups(texts)}
    assert groups == {(0, 2), (3, 4)}


def test_a_card_alone_is_never_suggested_as_a_group():
    assert suggest_groups(["Coffee machine broke", "Release notes were clear"]) == []


def test_similarity_is_symmetric_and_one_on_the_diagonal():
    matrix = similarity_matrix(["slow builds hurt", "builds are slow", "great demo day"])
    assert matrix[0][1] == matrix[1][0] > 0
    assert matrix[0][2] == 0
    assert all(matrix[i][i] == 1.0 for i in range(3))


def test_shared_terms_name_what_a_group_is_about():
    texts = ["flaky tests in CI", "CI tests are flaky", "the lunch menu"]
    [suggestion] = suggest_groups(texts)
    assert suggestion.members == (0, 1)
    assert set(suggestion.shared_terms) == {"flaki", "test", "ci"}


def test_a_stricter_threshold_splits_loose_groups():
    # The first two share most of their words, the third only a word all three use.
    texts = ["slow deploy pipeline", "slow deploy pipeline every day", "deploy went fine"]
    assert {s.members for s in suggest_groups(texts, threshold=0.01)} == {(0, 1, 2)}
    assert {s.members for s in suggest_groups(texts, threshold=0.3)} == {(0, 1)}
    assert suggest_groups(texts, threshold=0.9) == []
