"""Demo experiments: a year of Harbourline's online tests and process experiments.

Every experiment goes through the registry's services (register, start, weekly snapshots, decide),
so protocols, deviations, analyses, decision records, lessons and actions are real. Process
experiments are measured week by week, eight weeks before their start and up to six after, and
analysed by their design (difference in differences with control teams, an interrupted time series
otherwise); every team's figures share a drift of their own, which the designs take out. The aggregates are drawn from a
private seeded generator around each spec's true lift (demo_data/experiments.yaml), so winners,
nulls and losers come out of the statistics; one experiment has a broken traffic split
(sample-ratio mismatch). A few second rounds follow earlier experiments, a few decisions go
against the recommendation (with the reason), and the newest experiments are still running or
drafts.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from learnloop.analytics.stats import VariantAggregates
from learnloop.demo.data import load_demo_data
from learnloop.experiments import decisions, demo_warehouse, periods, services
from learnloop.experiments.models import Experiment
from learnloop.org.models import Membership, TeamKind, TeamRole

HISTORY_DAYS = 360
SECOND_ROUNDS = 14
SRM_TITLE = "Sticky add-to-basket bar"
OVERRIDES = 4


def _metric(metric: dict, *extra: str) -> tuple:
    """(name, type, lower is better, baseline, standard deviation or None, *extra)."""
    fields = (metric["name"], metric["type"], metric["lower_is_better"], metric["baseline"], metric.get("sd"))
    return fields + tuple(metric[name] for name in extra)


def _spec(record: dict, *, process: bool) -> tuple:
    """An experiment as the builder reads it: team slug, title, change, effect, population, primary
    metric, expected delta, true lift, the design (process) or the guardrail metric with its
    threshold and true lift (online, or None), lesson, follow-up."""
    if process:
        eighth = record["design"]
    else:
        eighth = _metric(record["guardrail"], "threshold", "lift") if "guardrail" in record else None
    return (record["team"], record["title"], record["change"], record["effect"], record["population"],
            _metric(record["metric"]), record["expected_delta"], record["lift"], eighth, record["lesson"],
            record["follow_up"])


_CONTENT = load_demo_data("learnloop.experiments", "experiments.yaml")
ONLINE = [_spec(record, process=False) for record in _CONTENT["online"]]
PROCESS = [_spec(record, process=True) for record in _CONTENT["process"]]
OVERRIDE_REASONS = _CONTENT["override_reasons"]


@dataclass
class Plan:
    spec: tuple
    process: bool
    start: date
    title: str
    lift: float
    engine: str = "frequentist"
    fate: str = "concluded"  # concluded / analysing / running / draft


def _crews(context) -> dict:
    crews = {}
    for team in context.teams.values():
        if team.kind != TeamKind.TEAM:
            continue
        memberships = list(Membership.objects.filter(team=team, person__is_active=True).select_related("person"))
        leads = [m.person for m in memberships if m.role == TeamRole.FACILITATOR]
        members = [m.person for m in memberships if m.role != TeamRole.FACILITATOR]
        if leads and members:
            crews[team.slug] = (team, leads[0], members)
    return crews


class _Generator:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def binomial(self, name: str, users: int, rate: float) -> VariantAggregates:
        rate = min(max(rate, 0.0005), 0.9995)
        spread = math.sqrt(users * rate * (1 - rate))
        # At least one event and one non-event per arm: with none (a small process experiment at a
        # low rate) the analysis has no variance to work with and gives no recommendation to decide on.
        conversions = min(max(round(users * rate + self.rng.gauss(0, 1) * spread), 1), users - 1)
        return VariantAggregates(variation=name, users=users, sum=conversions)

    def mean(self, name: str, users: int, mean: float, sd: float) -> VariantAggregates:
        observed = mean + self.rng.gauss(0, 1) * sd / math.sqrt(users)
        variance = sd * sd * max(0.5, 1 + self.rng.gauss(0, 1) * math.sqrt(2 / max(users - 1, 1)))
        return VariantAggregates(variation=name, users=users, sum=users * observed,
                                 sum_squares=(users - 1) * variance + users * observed * observed)

    def rows(self, metric: tuple, names: list[str], users: list[int], lift: float) -> list[VariantAggregates]:
        metric_type, baseline, sd = metric[1], metric[3], metric[4]
        rows = []
        for index, (name, count) in enumerate(zip(names, users, strict=True)):
            centre = baseline * (1 + lift) if index else baseline
            rows.append(self.binomial(name, count, centre) if metric_type == "binomial"
                        else self.mean(name, count, centre, sd))
        return rows


class _Builder:
    def __init__(self, context):
        self.context = context
        self.rng = random.Random(f"experiments-{context.seed}")
        self.generate = _Generator(self.rng)
        self.clock = context.clock
        self.today = context.clock.date
        self.crews = _crews(context)
        self.overrides_left = OVERRIDES

    def plans(self) -> list[Plan]:
        rng = self.rng
        specs = [(spec, False) for spec in ONLINE] + [(spec, True) for spec in PROCESS]
        plans = []
        for spec, process in specs:
            start = self.today - timedelta(days=rng.randint(60, HISTORY_DAYS))
            plans.append(Plan(spec=spec, process=process, start=start, title=spec[1], lift=spec[7]))
        for spec in rng.sample(ONLINE, SECOND_ROUNDS):
            first = next(plan for plan in plans if plan.spec is spec)
            start = min(first.start + timedelta(days=rng.randint(45, 90)),
                        self.today - timedelta(days=rng.randint(2, 40)))
            # A second round sharpens, repeats or weakens the first one's effect.
            lift = spec[7] * rng.choice([0.0, 0.5, 1.0])
            plans.append(Plan(spec=spec, process=False, start=start, title=f"{spec[1]}, round 2", lift=lift))
        plans.sort(key=lambda plan: plan.start)
        for index, plan in enumerate(plans):
            plan.engine = "bayesian" if index % 5 == 3 else ("sequential" if index % 7 == 5 else "frequentist")
        # The newest: some still running, a couple waiting for a decision, the last ones drafts.
        for plan in plans[-3:]:
            plan.fate, plan.start = "draft", self.today + timedelta(days=rng.randint(3, 14))
        for plan in plans[-9:-3]:
            plan.fate = "running"
            plan.start = min(plan.start, self.today - timedelta(days=rng.randint(8, 20)))
        for plan in plans[-12:-9]:
            plan.fate = "analysing"
            plan.start = min(plan.start, self.today - timedelta(days=rng.randint(30, 40)))
        return plans

    def register(self, plan: Plan) -> tuple[Experiment, tuple]:
        spec, rng = plan.spec, self.rng
        team, lead, members = self.crews.get(spec[0]) or rng.choice(list(self.crews.values()))
        owner = rng.choice(members)
        metric = spec[5]
        primary = {"name": metric[0], "metric_type": metric[1], "lower_is_better": metric[2]}
        guardrail = None if plan.process else spec[8]
        guardrails = [] if guardrail is None else [
            {"name": guardrail[0], "metric_type": guardrail[1], "lower_is_better": guardrail[2],
             "threshold": guardrail[5]}]
        design = spec[8] if plan.process else "randomised"
        variants = {"before_after": ["Before", "After"], "control_teams": ["Control teams", "Trial teams"]}.get(
            design, ["Control", "Variant B"])
        users = self._planned_users(plan)
        experiment = services.register_experiment(
            by=owner, team=team, title=plan.title, change=spec[2], effect=spec[3], population=spec[4],
            success_metric=metric[0], expected_delta=spec[6], variants=variants, primary_metric=primary,
            guardrails=guardrails, kind="process" if plan.process else "online", design=design, engine=plan.engine,
            planned_sample_per_variant=users,
            at=self.clock.on(min(plan.start - timedelta(days=rng.randint(3, 10)), self.today - timedelta(days=1)), 10),
            stopping_rule=("Six weeks, then compare with the six weeks before." if plan.process else
                           f"Run full weeks until {users:,} units per variant; no early stopping on a good day."),
        )
        return experiment, (team, lead, members, owner)

    def _planned_users(self, plan: Plan) -> int:
        if plan.title == SRM_TITLE:
            return 20000  # large enough that the broken split is unmistakable
        if plan.process:
            return self.rng.choice([36, 48, 60, 90, 120, 180])
        return self.rng.choice([4000, 6000, 8000, 12000, 16000, 24000, 40000])

    def period_results(self, plan: Plan, experiment: Experiment, people: tuple) -> date:
        """Weekly figures, eight weeks before the start and up to six after; returns the last week's day."""
        rng, owner = self.rng, people[3]
        metric = plan.spec[5]
        metric_type, baseline, sd = metric[1], metric[3], metric[4]
        weekly = max(6, experiment.planned_sample_per_variant // 6)
        drift = rng.uniform(-0.012, 0.012)  # what moves every team a little each week, change or not
        weeks = [plan.start + timedelta(days=7 * week) for week in range(-8, 6)]
        weeks = [week for week in weeks if week + timedelta(days=6) < self.today]
        groups = [""] if experiment.design == "before_after" else [v.name for v in experiment.variants.all()]
        rows = []
        for index, week in enumerate(weeks):
            for position, group in enumerate(groups):
                level = baseline * (1 + drift * index) * (1 + (0.06 if position == 0 and group else 0))
                trial = position == len(groups) - 1
                if week >= plan.start and trial:
                    level *= 1 + plan.lift
                units = max(6, round(weekly * rng.uniform(0.85, 1.15)))
                row = (self.generate.binomial(group, units, level) if metric_type == "binomial"
                       else self.generate.mean(group, units, level, sd))
                rows.append({"period": week, "group": group, "units": units, "sum": row.sum,
                             "sum_squares": row.sum if metric_type == "binomial" else row.sum_squares})
        primary = experiment.metrics.get(role="primary")
        periods.record_period_figures(by=owner, experiment=experiment, metric=primary,
                                      rows=periods.period_rows(rows, metric_type),
                                      at=self.clock.on(min(weeks[-1] + timedelta(days=7), self.today), 9))
        return weeks[-1] + timedelta(days=6)

    def results(self, plan: Plan, experiment: Experiment, people: tuple) -> date:
        """Weekly cumulative snapshots until the planned sample; returns the last day with data."""
        if plan.process and experiment.design != "randomised":
            return self.period_results(plan, experiment, people)
        rng, owner = self.rng, people[3]
        weeks = 6 if plan.process else rng.choice([2, 3, 4])
        end = plan.start + timedelta(days=7 * weeks)
        if plan.fate == "running":
            end = self.today - timedelta(days=1)
        days = [plan.start + timedelta(days=7 * week) for week in range(1, weeks + 1)]
        days = [day for day in days if day <= end][-3:] or [end]
        planned = experiment.planned_sample_per_variant
        names = [variant.name for variant in experiment.variants.all()]
        metrics = {metric.role: metric for metric in experiment.metrics.all()}
        for day in days:
            share = min(1.0, (day - plan.start).days / max((end - plan.start).days, 1))
            users = [max(12, round(planned * share * rng.uniform(0.97, 1.03)))] * 2
            if plan.title == SRM_TITLE:
                users[1] = round(users[0] * 0.9)
            else:
                users[1] = max(12, round(users[0] * rng.uniform(0.985, 1.015)))
            at = self.clock.on(day, 9)
            services.record_snapshot(by=owner, experiment=experiment, metric=metrics["primary"], taken_on=day,
                                     aggregates=self.generate.rows(plan.spec[5], names, users, plan.lift), at=at)
            if "guardrail" in metrics:
                guardrail = plan.spec[8]
                spec = (guardrail[0], guardrail[1], guardrail[2], guardrail[3], guardrail[4])
                services.record_snapshot(by=owner, experiment=experiment, metric=metrics["guardrail"], taken_on=day,
                                         aggregates=self.generate.rows(spec, names, users, guardrail[6]), at=at)
        return days[-1]

    def deviate(self, experiment: Experiment, people: tuple, day: date) -> None:
        services.update_protocol(
            by=people[1], experiment=experiment, at=self.clock.on(day, 15),
            reason="Traffic was lower than forecast; we extended the run instead of stopping early.",
            stopping_rule="Run one extra week to reach the planned sample.",
        )

    def decide(self, plan: Plan, experiment: Experiment, people: tuple, last_day: date) -> None:
        rng = self.rng
        _, lead, members, _ = people
        recommendation = decisions.current_recommendation(experiment)
        if recommendation is None:  # the latest results can't be analysed: it waits for a decision
            return
        decision, override = recommendation.decision, ""
        if self.overrides_left and rng.random() < 0.12:
            decision = rng.choice([d for d in OVERRIDE_REASONS if d != recommendation.decision])
            override = OVERRIDE_REASONS[decision]
            self.overrides_left -= 1
        at = self.clock.on(min(last_day + timedelta(days=rng.randint(2, 6)), self.today - timedelta(days=1)), 14)
        lesson_text, follow_up = plan.spec[9], plan.spec[10]
        metric = plan.spec[5]
        improvement = -plan.lift if metric[2] else plan.lift
        expected = "won" if improvement > 0 else ("lost" if improvement < 0 else "inconclusive")
        if recommendation.outcome != expected:
            # The data did not come out as the team expected: the lesson is about that, not the prepared one.
            lesson_text = (f"{plan.spec[2].capitalize()} did not move {metric[0]} the way we expected "
                           f"({recommendation.outcome}); {recommendation.reason}")
            follow_up = ""
        takeaways = []
        if rng.random() < 0.85:
            title = lesson_text.split(":")[0].split(";")[0].split(" (")[0].rstrip(".")[:150]
            takeaways.append({"title": title if len(title) > 20 else lesson_text[:150], "body": lesson_text})
        follow_ups = []
        if follow_up and decision in {"ship", "iterate"}:
            follow_ups.append({"title": follow_up, "owner": rng.choice(members),
                               "due_on": (at + timedelta(days=rng.randint(14, 45))).date()})
        decisions.decide(
            by=lead, experiment=experiment, decision=decision, override_reason=override, at=at,
            rationale=f"{recommendation.reason} {'We follow the numbers.' if not override else ''}".strip(),
            takeaways=takeaways, follow_ups=follow_ups,
        )

    def build(self, plan: Plan) -> Experiment:
        experiment, people = self.register(plan)
        if plan.fate == "draft":
            return experiment
        services.start_experiment(by=people[3], experiment=experiment, on=plan.start, at=self.clock.on(plan.start, 8))
        if self.rng.random() < 0.15:
            self.deviate(experiment, people, plan.start + timedelta(days=5))
        last_day = self.results(plan, experiment, people)
        if plan.fate == "running":
            return experiment
        services.end_experiment(by=people[3], experiment=experiment, on=last_day, at=self.clock.on(last_day, 17))
        if plan.fate == "concluded":
            self.decide(plan, experiment, people, last_day)
        return experiment


def build(context) -> None:
    builder = _Builder(context)
    if not builder.crews:
        return
    experiments = [builder.build(plan) for plan in builder.plans()]
    context.extra["experiments"] = experiments
    # After the others, with its own random stream (DuckDB's): theirs are unchanged.
    demo_warehouse.build(context, builder.crews)
