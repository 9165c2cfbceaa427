from datetime import timedelta

import pytest
from django.utils import timezone

from learnloop.experiments import services
from tests import factories
from tests.analytics.stats.conftest import gbstats

__all__ = ["gbstats"]


@pytest.fixture
def owner(team):
    person = factories.person(email="olga.owner@example.org", full_name="Olga Owner")
    factories.membership(person, team)
    return person


@pytest.fixture
def facilitator(team):
    person = factories.person(email="fran.facilitator@example.org", full_name="Fran Facilitator")
    factories.membership(person, team, role="facilitator")
    return person


@pytest.fixture
def teammate(team):
    person = factories.person(email="tim.teammate@example.org", full_name="Tim Teammate")
    factories.membership(person, team)
    return person


@pytest.fixture
def learning_lead(db):
    return factories.person(email="lee.lead@example.org", full_name="Lee Lead", role="learning_lead")


@pytest.fixture
def outsider(db):
    return factories.person(email="otto.outsider@example.org", full_name="Otto Outsider")


def register(by, team, **fields):
    values = {
        "title": "One-page checkout",
        "change": "a one-page checkout",
        "effect": "more completed orders",
        "population": "returning web customers",
        "success_metric": "checkout conversion",
        "expected_delta": "+2%",
        "variants": ["Control", "One page"],
        "primary_metric": {"name": "checkout conversion", "metric_type": "binomial"},
        "guardrails": [{"name": "refund rate", "metric_type": "binomial", "lower_is_better": True,
                        "threshold": 0.05}],
        "planned_sample_per_variant": 10000,
        "stopping_rule": "Stop at 10,000 users per variant.",
    }
    values.update(fields)
    return services.register_experiment(by=by, team=team, **values)


@pytest.fixture
def experiment(owner, team):
    return register(owner, team)


@pytest.fixture
def running(experiment, owner):
    return services.start_experiment(by=owner, experiment=experiment,
                                     on=timezone.localdate() - timedelta(days=14))


def binomial_rows(control=(10000, 1000), treatment=(10000, 1100)):
    return [
        {"variation": "Control", "users": control[0], "sum": control[1]},
        {"variation": "One page", "users": treatment[0], "sum": treatment[1]},
    ]


def enter(by, experiment, metric_name, rows, days_ago=0):
    metric = experiment.metrics.get(name=metric_name)
    return services.record_snapshot(
        by=by, experiment=experiment, metric=metric, taken_on=timezone.localdate() - timedelta(days=days_ago),
        aggregates=services.aggregates_from_rows(rows, metric.metric_type),
    )
