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


def test_actions_never_closed_need_two_and_three_tenths_of_those_due():
    base = dict(experiments_started=1, sessions_held=2, other_teams_lessons_applied=1, has_objective=True)
    assert _keys(rules.Behaviour(actions_fell_due=10, actions_never_closed=3, **base)) == {
        "time_and_resources": ["actions_never_closed"]}
    assert _keys(rules.Behaviour(actions_fell_due=11, actions_never_closed=3, **base)) == {}  # 27%
    assert _keys(rules.Behaviour(actions_fell_due=2, actions_never_closed=1, **base)) == {}  # one only
    finding = rules.team_barriers(rules.Behaviour(actions_fell_due=8, actions_never_closed=4, **base))[0].findings[0]
    assert finding.evidence == "4 of 8 actions due this year (50%) are still open 30+ days past their due date."


def test_initiatives_without_budget_and_unanswered_checks():
    found = _keys(rules.Behaviour(open_initiatives=3, initiatives_without_budget=1, checks_due=4, checks_answered=1))
    assert found == {"time_and_resources": ["initiatives_without_budget"], "leadership_support": ["checks_unanswered"]}
    # Exactly half unanswered is not "more than half"; fewer than three checks say nothing.
    assert _keys(rules.Behaviour(open_initiatives=1, checks_due=4, checks_answered=2)) == {}
    assert _keys(rules.Behaviour(open_initiatives=1, checks_due=2, checks_answered=0)) == {}


def test_no_goal_little_reuse_few_experiments_no_lessons():
    found = _keys(rules.Behaviour(sessions_held=4, lessons_written=0))
    assert found == {"fear_of_failure": ["few_experiments", "no_lessons"],
                     "leadership_support": ["no_goal_or_initiative"], "silos": ["no_reuse_inside"]}
    base = dict(sessions_held=1, experiments_started=1, has_objective=True, other_teams_lessons_applied=3)
    # 3 applications by other teams for 8 lessons is 0.375 a lesson, below 0.4; 4 is 0.5.
    assert _keys(rules.Behaviour(lessons_written=8, lessons_applied_by_other_teams=3, **base)) == {
        "silos": ["little_reuse_outside"]}
    assert _keys(rules.Behaviour(lessons_written=8, lessons_applied_by_other_teams=4, **base)) == {}
    # One lesson nobody else applied is too little to call a silo.
    assert _keys(rules.Behaviour(lessons_written=1, **base)) == {}
    # Experiments: one for every six sessions is enough, fewer is not.
    assert _keys(rules.Behaviour(sessions_held=12, experiments_started=2, lessons_written=5,
                                 lessons_applied_by_other_teams=2, other_teams_lessons_applied=1,
                                 has_objective=True)) == {}
    assert _keys(rules.Behaviour(sessions_held=13, experiments_started=2, lessons_written=5,
                                 lessons_applied_by_other_teams=2, other_teams_lessons_applied=1,
                                 has_objective=True)) == {"fear_of_failure": ["few_experiments"]}


def test_survey_barriers_are_weak_and_behind_the_organization():
    survey = rules.SurveyFacts(campaign="Spring pulse", size=7, scale=(1, 5), barriers=(
        # Weak (below 55% of 1–5, i.e. 3.2) and 0.4 below the organization: shown.
        rules.SurveyBarrier("fear_of_failure", 2.8, ("Psychological safety",), organization_mean=3.2),
        # Weak but only 0.2 below the organization: the whole organization is there, not this team.
        rules.SurveyBarrier("leadership_support", 2.9, ("Leadership",), organization_mean=3.1),
        # Far below the organization but not weak on the scale.
        rules.SurveyBarrier("silos", 3.3, (), organization_mean=4.2),
        # Weak, with no organization mean to compare with: shown.
        rules.SurveyBarrier("time_and_resources", 3.1, ()),
    ))
    healthy = rules.Behaviour(experiments_started=1, sessions_held=2, other_teams_lessons_applied=1,
                              has_objective=True)
    found = rules.team_barriers(healthy, survey)
    assert [(item.barrier, item.sources) for item in found] == [("fear_of_failure", ["survey"]),
                                                                  ("time_and_resources", ["survey"])]
    assert found[0].findings[0].evidence == (
        "Spring pulse (released, 7 responses): barrier mean 2.8 on 1–5, 0.4 below the organization's 3.2; "
        "weak: Psychological safety.")
    assert found[0].practices == rules.PRACTICES["fear_of_failure"]
    assert rules.team_barriers(healthy, None) == []


def test_the_weak_share_is_the_surveys():
    from learnloop.analytics import survey_stats

    assert rules.WEAK_SHARE == survey_stats.WEAK_SHARE
