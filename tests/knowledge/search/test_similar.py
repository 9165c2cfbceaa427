"""Related entries on an entry's page, and the editor's "similar entries already exist"."""

import pytest

from learnloop.knowledge import search
from tests import factories
from tests.knowledge.search.helpers import write

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return factories.person(), factories.person()


@pytest.fixture
def library(people):
    author, _ = people
    return {
        "canary": write(author, "Canary releases catch bad deploys early",
                        "Send one percent of traffic to the canary, watch error rates, then widen the release."),
        "rollback": write(author, "Roll back a bad deploy quickly",
                          "Keep the previous release warm so a rollback takes seconds when error rates climb."),
        "flags": write(author, "Feature flags decouple deploy from release",
                       "Deploy dark behind a flag and release to users when ready."),
        "coffee": write(author, "Descale the coffee machine", "Use citric acid once a month; run two rinses."),
        "onboarding": write(author, "Onboarding buddies", "Every newcomer gets a buddy for the first month."),
    }


def test_a_draft_that_rewords_an_entry_is_reported_as_similar(library, people):
    _, writer = people
    similar = search.similar_entries(
        viewer=writer, title="Canary release catches a bad deploy early",
        body="Route one percent of the traffic to a canary and watch the error rates before widening the release.",
    )
    assert similar and similar[0][0] == library["canary"]
    assert similar[0][1] >= search.SIMILAR_THRESHOLD
    assert all(0 <= score <= 1 for _, score in similar)
    assert [score for _, score in similar] == sorted((score for _, score in similar), reverse=True)


def test_a_draft_on_another_subject_gets_no_warning(library, people):
    _, writer = people
    assert search.similar_entries(viewer=writer, title="Quarterly budget review",
                                  body="Finance closes the books in the first week.") == []
    assert search.similar_entries(viewer=writer, title="", body="") == []
    assert search.similar_entries(viewer=writer, title="the and of") == []


def test_editing_an_entry_does_not_warn_about_the_entry_itself(library, people):
    author, _ = people
    canary = library["canary"]
    similar = search.similar_entries(viewer=author, title=canary.title, body=canary.body, exclude_id=canary.pk)
    assert canary not in [entry for entry, _ in similar]
    assert search.similar_entries(viewer=author, title=canary.title, body=canary.body)[0] == (canary, 1.0)


def test_related_entries_share_the_subject_and_leave_out_the_entry_itself(library, people):
    _, reader = people
    related = search.related_entries(viewer=reader, entry=library["canary"])
    assert library["canary"] not in related
    assert set(related[:2]) == {library["rollback"], library["flags"]}
    assert library["coffee"] not in related and library["onboarding"] not in related
    assert len(search.related_entries(viewer=reader, entry=library["canary"], limit=1)) == 1


def test_an_entry_with_nothing_in_common_has_no_related_entries(library, people):
    _, reader = people
    lonely = write(people[0], "Zebra crossings", "Quokka xylophone.")
    assert search.related_entries(viewer=reader, entry=lonely) == []
