"""The seven steps: each status follows the rules in docs/strategy.md from real rows."""

from datetime import timedelta

from learnloop.strategy import champions, services, steps, vision


def _status(org):
    found = steps.steps_for_teams([org.crew], viewer=org.lead)[org.crew.pk]
    return {step.key: step.status for step in found}, found


def test_steps_follow_real_objects(org):
    status, found = _status(org)
    assert status == {"vision": "to do", "assess": "to do", "strategy": "to do", "methods": "to do",
                      "safety": "to do", "feedback": "started", "champions": "to do"}
    assert steps.next_step(found).key == "vision"

    team_vision = vision.create_vision(by=org.facilitator, title="Crew vision", team=org.crew, draft="We ship safely")
    assert _status(org)[0]["vision"] == "started"
    vision.publish(by=org.facilitator, vision=team_vision)
    services.create_objective(by=org.facilitator, title="Goal", team=org.crew, starts_on=org.today,
                              ends_on=org.today + timedelta(days=10))
    assert _status(org)[0]["strategy"] == "started"
    services.create_initiative(by=org.facilitator, title="Plan", team=org.crew, starts_on=org.today,
                               ends_on=org.today)
    champions.name_champion(by=org.facilitator, person=org.members[0], team=org.crew)
    status, found = _status(org)
    assert (status["vision"], status["strategy"], status["champions"]) == ("done", "done", "done")
    assert steps.stage(found) == 3
    assert steps.next_step(found).key == "assess"
    # Feedback: an effectiveness check answered in the last 90 days (the fixture's done actions).
    assert status["feedback"] == "started"
