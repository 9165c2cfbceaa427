"""The barrier rules on hand-built numbers: each rule fires at its threshold and not below it."""

from learnloop.analytics import learning_barriers as rules


def _keys(behaviour, survey=None):
    return {item.barrier: [finding.rule for finding in item.findings]
            for item in rules.team_barriers(behaviour, survey)}


def test_a_team_doing_well_has_no_barrier():
    healthy = rules.Behaviour(actions_fell_due=10, actions_never_closed=1, checks_due=6, checks_answered=5,
                              experiments_started=2, sessions_held=8, lessons_written=4,
                              lessons_applied_by_other_teams=2, other_teams_lessons_applied=1,
                              open_initiatives=1, initiatives_without_budget=0, has_objective=True)
    assert _keys(healthy) == {}


def test_actions_never_closed_need_two_and_a_fifth_of_those_due():
    base = dict(experiments_started=1, sessions_held=2, other_teams_lessons_applied=1, has_objective=True)
    assert _keys(rules.Behaviour(actions_fell_due=10, actions_never_closed=2, **base)) == {
        "time_and_resources": ["actions_never_closed"]}
    assert _keys(rules.Behaviour(actions_fell_due=11, actions_never_closed=2, **base)) == {}  # 18%
    assert _keys(rules.Behaviour(actions_fell_due=2, actions_never_closed=1, **base)) == {}  # one only
    finding = rules.team_barriers(rules.Behaviour(actions_fell_due=8, actions_never_closed=4, **base))[0].findings[0]
    assert finding.evidence == "4 of 8 actions due this year (50%) are still open 30+ days past their due date."


def test_initiatives_without_budget_and_unanswered_checks():
    found = _keys(rules.Behaviour(open_initiatives=3, initiatives_without_budget=1, checks_due=4, checks_answered=1))
    assert found == {"time_and_resources": ["initiatives_without_budget"], "leadership_support": ["checks_unanswered"]}
    # Exactly half unanswered is not "more than half"; fewer than three checks say nothing.
    assert _keys(rules.Behaviour(open_initiatives=1, checks_due=4, checks_answered=2)) == {}
    assert _keys(rules.Behaviour(open_initiatives=1, checks_due=2, checks_answered=0)) == {}


def test_no_goal_no_reuse_no_experiments_no_lessons():
    found = _keys(rules.Behaviour(sessions_held=4, lessons_written=0))
    assert found == {"fear_of_failure": ["no_experiments", "no_lessons"],
                     "leadership_support": ["no_goal_or_initiative"], "silos": ["no_reuse_inside"]}
    silo = _keys(rules.Behaviour(lessons_written=2, sessions_held=1, experiments_started=1, has_objective=True,
                                 other_teams_lessons_applied=3))
    assert silo == {"silos": ["no_reuse_outside"]}
    # One lesson nobody else applied is too little to call a silo.
    assert _keys(rules.Behaviour(lessons_written=1, sessions_held=1, experiments_started=1, has_objective=True,
                                 other_teams_lessons_applied=3)) == {}


def test_survey_barriers_are_those_with_a_weak_dimension():
    survey = rules.SurveyFacts(campaign="Spring pulse", size=7, scale=(1, 5), barriers=(
        rules.SurveyBarrier("fear_of_failure", 2.4, ("Psychological safety",)),
        rules.SurveyBarrier("silos", 3.9, ()),
    ))
    healthy = rules.Behaviour(experiments_started=1, sessions_held=2, other_teams_lessons_applied=1,
                              has_objective=True)
    found = rules.team_barriers(healthy, survey)
    assert [(item.barrier, item.sources) for item in found] == [("fear_of_failure", ["survey"])]
    assert found[0].findings[0].evidence == (
        "Spring pulse (released, 7 responses): Psychological safety weak; barrier mean 2.4 on 1–5.")
    assert found[0].practices == rules.PRACTICES["fear_of_failure"]
    assert rules.team_barriers(healthy, None) == []
