"""Registry pages: the portfolio, registering, an experiment (protocol, results entry, decision) and its
results. Every form posts, calls a service and redirects back; on an error the page is rendered
again with the message next to the form and everything typed kept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from learnloop.experiments import decisions, forms, selectors, services
from learnloop.experiments.analysis import analyse, recommend
from learnloop.experiments.chart import ChartRow, effect_chart
from learnloop.experiments.models import (
    Decision,
    Design,
    Engine,
    Kind,
    MetricRole,
    MetricType,
    Outcome,
    Snapshot,
    Status,
)
from learnloop.experiments.permissions import can_manage, can_register, can_register_anywhere
from learnloop.org.membership import active_members
from learnloop.org.models import Person, Team

MAX_UPLOAD_BYTES = 1_000_000
PORTFOLIO_PER_PAGE = 50


def _errors(error) -> dict[str, str]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return {field: " ".join(message for item in items for message in item.messages)
                for field, items in error.error_dict.items()}
    if isinstance(error, ValidationError):
        return {"general": " ".join(error.messages)}
    return {"general": str(error) or "You can't do that."}


def _chosen_person(value: str, *, field: str):
    """The person a form names, or None when it names nobody. Whether they may own something
    (an active person) is the services' rule, as for the API."""
    if not value:
        return None
    person = Person.objects.filter(pk=value).first() if value.isdigit() else None
    if person is None:
        raise ValidationError({field: "Choose someone from the list."})
    return person


# --- portfolio ---------------------------------------------------------------------------------------------


@login_required
def portfolio(request):
    params = request.GET
    team = Team.objects.filter(pk=params.get("team")).first() if params.get("team", "").isdigit() else None
    experiments = selectors.portfolio(
        request.user, status=params.get("status", ""), outcome=params.get("outcome", ""), team=team,
        metric=params.get("metric", ""), sort=params.get("sort", "newest"), query=params.get("q", "").strip(),
    )
    figures = selectors.figures(experiments)
    # Every match is reachable, a page at a time (the page says how many there are in all).
    page = Paginator(experiments, PORTFOLIO_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "experiments/portfolio.html", {
        "experiments": page,
        "page": page,
        "query_string": f"{query.urlencode()}&" if query else "",
        "figures": figures,
        "failures": selectors.failure_library(request.user, limit=12),
        "teams": Team.objects.filter(archived_at=None).order_by("name"),
        "metrics": selectors.metric_names(),
        "statuses": Status.choices,
        "outcomes": Outcome.choices,
        "sorts": [("newest", "Newest"), ("lift", "Largest lift"), ("lift_low", "Smallest lift"), ("title", "Title")],
        "params": params,
        "can_register": can_register_anywhere(request.user),
    })


# --- registering -------------------------------------------------------------------------------------------


def _register_teams(person) -> list:
    return [team for team in Team.objects.filter(archived_at=None).order_by("name") if can_register(person, team)]


@login_required
def register(request):
    teams = _register_teams(request.user)
    errors = {}
    if request.method == "POST":
        try:
            # Any team: the service decides who may register where, as for the API.
            team_id = request.POST.get("team", "")
            team = Team.objects.filter(pk=team_id).first() if team_id.isdigit() else None
            if team is None:
                raise ValidationError({"team": "Choose one of your teams."})
            experiment = services.register_experiment(by=request.user, team=team, **forms.registration(request.POST))
        except (ValidationError, PermissionDenied) as error:
            errors = _errors(error)
        else:
            messages.success(request, "Registered. Start it when the protocol is final: it locks then.")
            return redirect("experiments:detail", experiment.pk)
    return render(request, "experiments/register.html", {
        "teams": teams, "errors": errors, "form": request.POST, "kinds": Kind.choices, "designs": Design.choices,
        "engines": Engine.choices, "metric_types": MetricType.choices,
    }, status=400 if errors else 200)


# --- one experiment ----------------------------------------------------------------------------------------


def _detail_context(request, experiment, **extra) -> dict:
    results = analyse(experiment)
    latest = results[-1] if results else None
    people = active_members(experiment.team)
    return {
        "experiment": experiment,
        "variants": list(experiment.variants.all()),
        "metrics": list(experiment.metrics.all()),
        "deviations": list(experiment.deviations.select_related("changed_by")),
        "managing": can_manage(request.user, experiment),
        "latest": latest,
        "recommendation": recommend(latest),
        "lessons": selectors.lessons_of(experiment),
        "follow_ups": decisions.follow_ups_of(experiment),
        "team_people": people,
        "decisions": Decision.choices,
        "engines": Engine.choices,
        "metric_types": MetricType.choices,
        "today": timezone.localdate(),
        "errors": {},
        "form": {},
        **extra,
    }


@login_required
def detail(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return render(request, "experiments/detail.html", _detail_context(request, experiment))


def _post(request, experiment_id: int, action, success: str, form_name: str):
    experiment = selectors.experiment_for(request.user, experiment_id)
    try:
        action(experiment)
    except (ValidationError, PermissionDenied) as error:
        context = _detail_context(request, experiment, errors={form_name: _errors(error)}, form=request.POST,
                                  failed=form_name)
        return render(request, "experiments/detail.html", context, status=403 if isinstance(
            error, PermissionDenied) else 400)
    messages.success(request, success)
    return redirect("experiments:detail", experiment.pk)


@login_required
@require_POST
def start(request, experiment_id: int):
    return _post(request, experiment_id, lambda e: services.start_experiment(by=request.user, experiment=e),
                 "Started: the protocol is locked; changes from now on are recorded as deviations.", "lifecycle")


@login_required
@require_POST
def end(request, experiment_id: int):
    return _post(request, experiment_id, lambda e: services.end_experiment(by=request.user, experiment=e),
                 "Data collection ended: analyse and decide.", "lifecycle")


@login_required
@require_POST
def protocol(request, experiment_id: int):
    fields = ("engine", "alpha", "planned_sample_per_variant", "stopping_rule")
    changes = {name: request.POST.get(name, "") for name in fields if name in request.POST}
    return _post(request, experiment_id, lambda e: services.update_protocol(
        by=request.user, experiment=e, reason=request.POST.get("reason", ""), **changes,
    ), "Protocol saved.", "protocol")


@login_required
@require_POST
def add_metric(request, experiment_id: int):
    data = request.POST
    return _post(request, experiment_id, lambda e: services.add_metric(
        by=request.user, experiment=e, name=data.get("name", ""), role=data.get("role", "guardrail"),
        metric_type=data.get("metric_type", "binomial"), lower_is_better=data.get("lower_is_better") == "on",
        threshold=forms.percent_or_none(data.get("threshold", ""), field="threshold"), reason=data.get("reason", ""),
    ), "Metric added.", "metric")


@login_required
@require_POST
def snapshot(request, experiment_id: int):
    def enter(experiment):
        metric = experiment.metrics.filter(pk=request.POST.get("metric") or 0).first()
        if metric is None:
            raise ValidationError({"metric": "Choose one of the experiment's metrics."})
        taken_on = forms.parse_date(request.POST.get("taken_on", ""), field="taken_on")
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD_BYTES:
                raise ValidationError({"file": "The file is larger than 1 MB; a file holds one row per variant."})
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"file": "The file is not UTF-8 text (save it as CSV UTF-8)."}) from None
            aggregates, source = services.aggregates_from_text(text, metric.metric_type), Snapshot.Source.CSV
        else:
            rows = forms.snapshot_rows(request.POST, experiment.variants.all())
            aggregates, source = services.aggregates_from_rows(rows, metric.metric_type), Snapshot.Source.FORM
        services.record_snapshot(by=request.user, experiment=experiment, metric=metric, taken_on=taken_on,
                                 aggregates=aggregates, source=source)

    return _post(request, experiment_id, enter, "Results saved.", "snapshot")


@login_required
@require_POST
def decide(request, experiment_id: int):
    data = request.POST

    def run(experiment):
        takeaways = []
        if data.get("lesson_title", "").strip():
            takeaways.append({"title": data["lesson_title"], "body": data.get("lesson_body", "")})
        follow_ups = []
        if data.get("follow_up_title", "").strip():
            owner = _chosen_person(data.get("follow_up_owner", ""), field="follow_up_owner")
            follow_ups.append({"title": data["follow_up_title"], "owner": owner,
                               "due_on": forms.parse_date(data.get("follow_up_due", ""), field="follow_up_due")})
        decisions.decide(by=request.user, experiment=experiment, decision=data.get("decision", ""),
                         rationale=data.get("rationale", ""), override_reason=data.get("override_reason", ""),
                         takeaways=takeaways, follow_ups=follow_ups)

    return _post(request, experiment_id, run, "Decided and recorded.", "decide")


@login_required
@require_POST
def lesson(request, experiment_id: int):
    return _post(request, experiment_id, lambda e: decisions.add_lesson(
        by=request.user, experiment=e, title=request.POST.get("lesson_title", ""),
        body=request.POST.get("lesson_body", ""),
    ), "Lesson saved to the knowledge base.", "lesson")


@login_required
@require_POST
def follow_up(request, experiment_id: int):
    def run(experiment):
        owner = _chosen_person(request.POST.get("follow_up_owner", ""), field="follow_up_owner")
        decisions.add_follow_up(
            by=request.user, experiment=experiment, title=request.POST.get("follow_up_title", ""), owner=owner,
            due_on=forms.parse_date(request.POST.get("follow_up_due", ""), field="follow_up_due"),
        )

    return _post(request, experiment_id, run, "Follow-up action created.", "follow_up")


# --- results -----------------------------------------------------------------------------------------------


def _chart_rows(metric_result) -> list[ChartRow]:
    return [ChartRow(label=v.variation, effect=v.effect, low=v.ci_low, high=v.ci_high, tone=v.verdict)
            for v in metric_result.variants if v.verdict != "error"]


@login_required
def results(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    snapshots = analyse(experiment)
    latest = snapshots[-1] if snapshots else None
    metrics = latest.metrics if latest else []
    charts = [(m, effect_chart(_chart_rows(m)), f"chart-{index}") for index, m in enumerate(metrics)]
    history = []
    for snapshot in snapshots:
        primary = snapshot.primary
        if primary is None:
            continue
        for variant in primary.variants:
            if variant.verdict != "error":
                history.append((snapshot.snapshot.taken_on, variant))
    over_time = effect_chart([
        ChartRow(label=f"{taken_on.day} {taken_on:%b} · {v.variation}", effect=v.effect, low=v.ci_low, high=v.ci_high,
                 tone=v.verdict)
        for taken_on, v in history
    ]) if len(history) > 1 else None
    return render(request, "experiments/results.html", {
        "experiment": experiment, "latest": latest, "charts": charts, "history": history, "over_time": over_time,
        "recommendation": recommend(latest), "primary_role": MetricRole.PRIMARY,
        "level": f"{(1 - experiment.alpha) * 100:g}%",
    })
