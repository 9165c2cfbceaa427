"""The roadmap: initiatives, dependencies without cycles, planned vs actual spend, links."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from learnloop.strategy import selectors, services


def _initiative(org, title, **fields):
    return services.create_initiative(by=org.lead, title=title, team=fields.pop("team", org.crew),
                                      starts_on=org.today, ends_on=org.today + timedelta(days=30), **fields)


def test_dependencies_refuse_cycles(org):
    first = _initiative(org, "First")
    second = _initiative(org, "Second", depends_on=[first])
    third = _initiative(org, "Third", depends_on=[second])
    with pytest.raises(ValidationError, match="cycle"):
        services.update_initiative(by=org.lead, initiative=first, depends_on=[third])
    with pytest.raises(ValidationError, match="itself"):
        services.update_initiative(by=org.lead, initiative=first, depends_on=[first])
    assert list(first.depends_on.all()) == []


def test_planned_and_actual_spend(org):
    item = _initiative(org, "Coaching", budget_person_days=10, budget_money=2000, budget_people=3)
    services.add_spend(by=org.facilitator, initiative=item, kind="actual", on=org.today, person_days=4, money=500)
    services.add_spend(by=org.facilitator, initiative=item, kind="actual", on=org.today, person_days="1.5")
    services.add_spend(by=org.facilitator, initiative=item, kind="planned", on=org.today, person_days=2)
    budget = selectors.budget_of(selectors.initiative_for(org.lead, item.pk))
    assert (budget.planned_person_days, budget.actual_person_days, budget.planned_money, budget.actual_money) == (
        12.0, 5.5, 2000.0, 500.0)
    with pytest.raises(ValidationError):
        services.add_spend(by=org.facilitator, initiative=item, kind="actual", on=org.today, person_days=-1)
    assert item.budget_person_days == Decimal("10.0")


def test_an_initiative_links_what_carries_it_out(org):
    item = _initiative(org, "Retros everywhere")
    services.add_link(by=org.lead, initiative=item, target_type="actions.action", target_id=org.open_action.pk)
    links = selectors.links_of(org.lead, [selectors.initiative_for(org.lead, item.pk)])[item.pk]
    assert [target.id for _, target in links] == [str(org.open_action.pk)]
    with pytest.raises(ValidationError):
        services.add_link(by=org.lead, initiative=item, target_type="actions.action", target_id="999999")


def test_the_timeline_of_a_team_includes_teams_below(org):
    _initiative(org, "Crew work")
    _initiative(org, "Department work", team=org.department)
    _initiative(org, "Organization work", team=None)
    rows = selectors.timeline(selectors.initiatives_list(org.lead, team=org.department))["rows"]
    assert sorted(row["title"] for row in rows) == ["Crew work", "Department work"]


def test_members_may_not_plan(org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _initiative(org, "x", **{}) if False else services.create_initiative(
            by=org.members[0], title="x", team=org.crew, starts_on=org.today, ends_on=org.today)


def test_an_initiative_links_a_learning_path(org):
    from learnloop.growth import services as growth

    item = _initiative(org, "Onboarding in six weeks")
    path = growth.create_path(by=org.lead, title="Carrier payouts for newcomers")
    services.add_link(by=org.lead, initiative=item, target_type="growth.learningpath", target_id=path.pk)
    links = selectors.links_of(org.lead, [selectors.initiative_for(org.lead, item.pk)])[item.pk]
    assert [(target.type, target.title, target.url) for _, target in links] == [
        ("growth.learningpath", "Learning path: Carrier payouts for newcomers", f"/growth/paths/{path.pk}/")]
    with pytest.raises(ValidationError):
        services.add_link(by=org.lead, initiative=item, target_type="growth.learningpath", target_id="999999")
