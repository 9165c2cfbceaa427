"""The generalization of stored attributes: every stored combination covers k records, deterministically."""

import random
from collections import Counter

import pytest

from learnloop.analytics.disclosure.generalize import NOT_RECORDED, ROOT, Scale, generalize

TENURE = Scale("tenure", ("new", "mid", "old"), merged_label=lambda run: "+".join(run))
ROLE = Scale("role", ("member", "lead"), ordered=False)


def random_records(rng: random.Random):
    parents = {}
    departments = [f"d{number}" for number in range(rng.randint(1, 4))]
    for department in departments:
        parents[department] = ROOT
    records = []
    for number in range(rng.randint(2, 25)):
        team = f"t{number}"
        parents[team] = rng.choice(departments)
        weights = rng.choice([(1, 1, 1), (6, 2, 1), (1, 0.2, 5)])
        for position in range(rng.choice([1, 2, 3, 5, 8, 13, 30])):
            tenure = rng.choices(TENURE.values, weights=weights)[0]
            records.append((team, (tenure, "lead" if position == 0 else "member")))
    records += [(ROOT, (rng.choice(TENURE.values), "member")) for _ in range(rng.randint(0, 3))]
    return records, parents


@pytest.mark.parametrize("seed", range(60))
def test_every_stored_combination_covers_k_records(seed):
    rng = random.Random(seed)
    records, parents = random_records(rng)
    k = rng.choice([3, 4, 5, 7, 10])
    result = generalize(records, parents=parents, scales=[TENURE, ROLE], k=k)
    stored = Counter(result.apply(record) for record in records)
    assert min(stored.values()) >= k or len(records) < k
    assert result.below_k == ([] if len(records) >= k else sorted(stored))
    for (_team, values), (stored_team, stored_values) in result.cells.items():
        assert stored_team in {ROOT, *parents}
        for scale, before, after in zip((TENURE, ROLE), values, stored_values, strict=True):
            # Either the value, a band holding it, or nothing.
            assert after in (NOT_RECORDED, before) or before in after.split("+"), scale.name
    assert result.suppressed == sum(
        number * sum(1 for value in result.apply(record)[1] if value == NOT_RECORDED)
        for record, number in Counter(records).items())


@pytest.mark.parametrize("seed", range(10))
def test_the_same_records_in_another_order_give_the_same_mapping(seed):
    rng = random.Random(seed)
    records, parents = random_records(rng)
    first = generalize(records, parents=parents, scales=[TENURE, ROLE], k=5)
    rng.shuffle(records)
    second = generalize(records, parents=parents, scales=[TENURE, ROLE], k=5)
    assert first.cells == second.cells and first.values == second.values


def test_nothing_changes_when_every_combination_already_has_k():
    records = [("t", (tenure, role)) for tenure in TENURE.values for role in ROLE.values for _ in range(5)]
    result = generalize(records, parents={"t": ROOT}, scales=[TENURE, ROLE], k=5)
    assert all(result.apply(record) == record for record in records)
    assert (result.merged, result.suppressed) == (0, 0)


def test_small_teams_pool_in_their_department_and_a_team_keeps_what_all_its_members_share():
    records = ([("big", ("new", "member"))] * 6 + [("big", ("new", "lead"))]
               + [("tiny", ("old", "member"))] * 2 + [("dept", ("old", "member"))] * 3)
    result = generalize(records, parents={"big": "dept", "tiny": "dept", "dept": ROOT}, scales=[TENURE, ROLE], k=5)
    assert result.teams["tiny"] == "dept"
    assert result.values == {"tenure": ("new", "mid", "old"), "role": ("member", "lead")}
    # The one lead's role would single them out, so "big" gives up role and keeps tenure, which all
    # 7 share (suppressing the last attribute first would have lost both); the 5 pooled in the
    # department all share (old, member) and keep both.
    assert result.apply(("big", ("new", "lead"))) == ("big", ("new", NOT_RECORDED))
    assert result.apply(("big", ("new", "member"))) == ("big", ("new", NOT_RECORDED))
    assert result.apply(("tiny", ("old", "member"))) == ("dept", ("old", "member"))
    assert (result.suppressed, result.merged) == (7, 0)


def test_a_team_keeps_an_attribute_all_its_members_share_though_their_first_attribute_differs():
    # In "t" five people of different tenures share one role: tenure must go there, role can stay.
    # In "u" everyone shares both, so tenure is worth keeping in the organization's bands.
    mixed = [("t", (tenure, "member")) for tenure in ("new", "mid", "old", "new", "mid")]
    alike = [("u", ("old", "lead"))] * 5
    result = generalize(mixed + alike, parents={"t": ROOT, "u": ROOT}, scales=[TENURE, ROLE], k=5)
    assert {result.apply(record) for record in mixed} == {("t", (NOT_RECORDED, "member"))}
    assert result.apply(alike[0]) == ("u", ("old", "lead"))


def test_an_adjacent_band_merge_is_preferred_when_it_saves_suppression():
    # Two teams, each with 3 newcomers and 3 mid-tenure people: merged "new+mid" keeps tenure for
    # everyone where suppression would drop it for all.
    records = [(team, (tenure, "member")) for team in ("a", "b") for tenure in ("new", "mid") for _ in range(3)]
    records += [(team, ("old", "member")) for team in ("a", "b") for _ in range(5)]
    result = generalize(records, parents={"a": ROOT, "b": ROOT}, scales=[TENURE, ROLE], k=5)
    assert result.values["tenure"] == ("new+mid", "old")
    assert result.apply(("a", ("new", "member"))) == ("a", ("new+mid", "member"))
    assert result.suppressed == 0 and result.merged == 12
