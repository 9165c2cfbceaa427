"""Registry pages: the portfolio, registering, an experiment (protocol, results entry, decision) and its
results. Every form posts, calls a service and redirects back; on an error the page is rendered
again with the message next to the form and everything typed kept."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.experiments import decisions, forms, periods, planning, related, selectors, services
from learnloop.experiments.analysis import analyse, recommend
from learnloop.experiments.chart import ChartRow, effect_chart
from learnloop.experiments.models import (
    MetricRole,
    Outcome,
    Snapshot,
    Status,
)
from learnloop.experiments.permissions import can_manage, can_register, can_register_anywhere
from learnloop.org.membership import active_members
from learnloop.org.models import Team
from learnloop.web.forms import apply_validation_error
from learnloop.web.tables import export_response

PORTFOLIO_PER_PAGE = 50


def _refused(form, error) -> None:
    """A service's refusal, shown on the form that asked."""
    if isinstance(error, ValidationError):
        apply_validation_error(form, error)
    else:
        form.add_error(None, str(error) or _("You can't do that."))


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
        "sorts": [("newest", _("Newest")), ("lift", _("Largest lift")), ("lift_low", _("Smallest lift")),
                  ("title", _("Title"))],
        "params": params,
        "can_register": can_register_anywhere(request.user),
    })


# --- registering -------------------------------------------------------------------------------------------


def _register_teams(person) -> list:
    return [team for team in Team.objects.filter(archived_at=None).order_by("name") if can_register(person, team)]


@login_required
def register(request):
    teams = _register_teams(request.user)
    form = forms.RegisterForm(request.POST or None, teams=teams)
    if form.is_bound and form.is_valid():
        try:
            experiment = services.register_experiment(by=request.user, **form.registration())
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            messages.success(request, _("Registered. Start it when the protocol is final: it locks then."))
            return redirect("experiments:detail", experiment.pk)
    return render(request, "experiments/register.html", {"teams": teams, "form": form},
                  status=400 if form.errors else 200)


# --- one experiment ----------------------------------------------------------------------------------------


def _detail_forms(experiment, variants, people, recommendation, *, failed: str | None = None, bound=None) -> dict:
    """Every form of the page: the one that failed bound to what was sent, the others empty."""
    today = timezone.localdate()
    makers = {
        "lifecycle": lambda data, files: django_forms.Form(data),
        "protocol": lambda data, files: forms.ProtocolForm(data, experiment=experiment),
        "metric": lambda data, files: forms.MetricForm(data, experiment=experiment),
        "upload": lambda data, files: forms.SnapshotForm(data, files, experiment=experiment, variants=variants,
                                                         upload=True, today=today),
        "typed": lambda data, files: forms.SnapshotForm(data, experiment=experiment, variants=variants, upload=False,
                                                        today=today),
        "decide": lambda data, files: forms.DecideForm(data, team_people=people),
        "period": lambda data, files: forms.PeriodForm(data, files, experiment=experiment),
        "lesson": lambda data, files: forms.LessonForm(data),
        "follow_up": lambda data, files: forms.FollowUpForm(data, team_people=people),
    }
    made = {name: make(None, None) for name, make in makers.items() if name != failed}
    if failed:
        made[failed] = bound
    made["decide"].mark_recommended(getattr(recommendation, "decision", None))
    return {f"{name}_form": form for name, form in made.items()}


def _team_people(experiment):
    return active_members(experiment.team)


def _detail_context(request, experiment, *, failed: str | None = None, form=None) -> dict:
    process = periods.is_process(experiment)
    if process:
        latest, process_results = None, periods.analyse(experiment)
        recommendation = periods.recommend(process_results)
    else:
        results = analyse(experiment)
        latest, process_results = (results[-1] if results else None), []
        recommendation = recommend(latest)
    variants = list(experiment.variants.all())
    people = _team_people(experiment)
    return {
        "experiment": experiment,
        "variants": variants,
        "metrics": list(experiment.metrics.all()),
        "deviations": list(experiment.deviations.select_related("changed_by")),
        "managing": can_manage(request.user, experiment),
        "latest": latest,
        "process": process,
        "process_results": process_results,
        "recommendation": recommendation,
        "power_form": forms.PowerForm(experiment=experiment),
        "decision_record": selectors.decision_record_of(request.user, experiment),
        "lessons": selectors.lessons_of(experiment),
        "lessons_here": selectors.lessons_here(request.user, experiment),
        "follow_ups": decisions.follow_ups_of(experiment),
        "failed": failed,
        **_detail_forms(experiment, variants, people, recommendation, failed=failed, bound=form),
    }


@login_required
def detail(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return render(request, "experiments/detail.html", _detail_context(request, experiment))


def _post(request, experiment, form, action, success: str, form_name: str):
    """Run `action(experiment)` if the form is valid; else, or if the service refuses, show the
    page again with the messages on that form and everything typed kept."""
    refused = None
    if form.is_valid():
        try:
            action(experiment)
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
            refused = error
        else:
            messages.success(request, success)
            return redirect("experiments:detail", experiment.pk)
    context = _detail_context(request, experiment, failed=form_name, form=form)
    return render(request, "experiments/detail.html", context,
                  status=403 if isinstance(refused, PermissionDenied) else 400)


def _lifecycle(request, experiment_id: int, action, success: str):
    experiment = selectors.experiment_for(request.user, experiment_id)
    return _post(request, experiment, django_forms.Form(request.POST), action, success, "lifecycle")


@login_required
@require_POST
def start(request, experiment_id: int):
    return _lifecycle(request, experiment_id, lambda e: services.start_experiment(by=request.user, experiment=e),
                      _("Started: the protocol is locked; changes from now on are recorded as deviations."))


@login_required
@require_POST
def end(request, experiment_id: int):
    return _lifecycle(request, experiment_id, lambda e: services.end_experiment(by=request.user, experiment=e),
                      _("Data collection ended: analyse and decide."))


@login_required
@require_POST
def protocol(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.ProtocolForm(request.POST, experiment=experiment)
    return _post(request, experiment, form, lambda e: services.update_protocol(
        by=request.user, experiment=e, reason=form.cleaned_data.get("reason", ""), **form.changes(),
    ), _("Protocol saved."), "protocol")


@login_required
@require_POST
def add_metric(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.MetricForm(request.POST, experiment=experiment)
    return _post(request, experiment, form, lambda e: services.add_metric(by=request.user, experiment=e,
                                                                          **form.metric()),
                 _("Metric added."), "metric")


@login_required
@require_POST
def snapshot(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    upload = "file" in request.FILES
    form = forms.SnapshotForm(request.POST, request.FILES, experiment=experiment, variants=list(
        experiment.variants.all()), upload=upload, today=timezone.localdate())

    def enter(experiment):
        metric = form.cleaned_data["metric"]
        text = form.text()
        if text is not None:
            aggregates, source = services.aggregates_from_text(text, metric.metric_type), Snapshot.Source.CSV
        else:
            aggregates, source = services.aggregates_from_rows(form.rows(), metric.metric_type), Snapshot.Source.FORM
        services.record_snapshot(by=request.user, experiment=experiment, metric=metric,
                                 taken_on=form.cleaned_data["taken_on"], aggregates=aggregates, source=source)

    return _post(request, experiment, form, enter, _("Results saved."), "upload" if upload else "typed")


@login_required
@require_POST
def period_figures(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.PeriodForm(request.POST, request.FILES, experiment=experiment)

    def enter(experiment):
        metric = form.cleaned_data["metric"]
        rows = periods.period_rows_from_text(form.cleaned_data["text"], metric.metric_type)
        periods.record_period_figures(by=request.user, experiment=experiment, metric=metric, rows=rows)

    return _post(request, experiment, form, enter, _("Figures saved."), "period")


@login_required
def power(request, experiment_id: int):
    """The protocol page's planning panel (an htmx partial; a whole page without htmx)."""
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.PowerForm(request.GET or None, experiment=experiment)
    plan = None
    metric = experiment.primary_metric
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            plan = planning.plan(
                metric_type=metric.metric_type if metric else "binomial", alpha=experiment.alpha,
                baseline=data["baseline"], sd=data["sd"], power=data["power"] or 0.8, sample=data["sample"],
                lift=None if data["lift"] is None else data["lift"] / 100,
            )
        except ValidationError as error:
            _refused(form, error)
    template = "experiments/_power.html" if request.headers.get("HX-Request") else "experiments/power.html"
    return render(request, template, {"experiment": experiment, "power_form": form, "plan": plan, "metric": metric},
                  status=400 if form.errors else 200)


@login_required
def related_panel(request):
    """Lessons, failures and earlier experiments on the same metric, for a draft's text (htmx partial)."""
    # The register form's own fields (sent with hx-include) or q / metric from any other page.
    params = request.GET
    text = " ".join(params.get(name, "") for name in ("q", "title", "change", "effect", "description", "goal"))
    found = related.related(request.user, text=text, metric=params.get("metric") or params.get("primary_name", ""),
                            exclude_id=int(request.GET["exclude"]) if request.GET.get("exclude", "").isdigit()
                            else None)
    return render(request, "experiments/_related.html", {"related": found})


@login_required
@require_POST
def decide(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.DecideForm(request.POST, team_people=_team_people(experiment))
    return _post(request, experiment, form, lambda e: decisions.decide(by=request.user, experiment=e,
                                                                       **form.decide_arguments()),
                 _("Decided and recorded."), "decide")


@login_required
@require_POST
def lesson(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.LessonForm(request.POST)
    return _post(request, experiment, form, lambda e: decisions.add_lesson(
        by=request.user, experiment=e, title=form.cleaned_data["lesson_title"], body=form.cleaned_data["lesson_body"],
    ), _("Lesson saved to the knowledge base."), "lesson")


@login_required
@require_POST
def follow_up(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    form = forms.FollowUpForm(request.POST, team_people=_team_people(experiment))
    return _post(request, experiment, form, lambda e: decisions.add_follow_up(
        by=request.user, experiment=e, **form.follow_up()), _("Follow-up action created."), "follow_up")


# --- results -----------------------------------------------------------------------------------------------


def _chart_rows(metric_result) -> list[ChartRow]:
    return [ChartRow(label=v.variation, effect=v.effect, low=v.ci_low, high=v.ci_high, tone=v.verdict)
            for v in metric_result.variants if v.verdict != "error"]


def _process_results(request, experiment):
    results = periods.analyse(experiment)
    charts = [(r, effect_chart([ChartRow(label=r.metric.name, effect=r.relative, low=r.relative_low,
                                         high=r.relative_high, tone=r.verdict)]) if r.relative is not None else None,
               f"chart-{index}") for index, r in enumerate(results)]
    return render(request, "experiments/results_process.html", {
        "experiment": experiment, "results": results, "charts": charts, "recommendation": periods.recommend(results),
        "level": f"{(1 - experiment.alpha) * 100:g}%", "method": periods.method_of(experiment),
        "method_name": periods.METHOD_NAMES[periods.method_of(experiment)],
        "method_summary": periods.METHOD_SUMMARIES[periods.method_of(experiment)],
    })


@login_required
def results(request, experiment_id: int):
    experiment = selectors.experiment_for(request.user, experiment_id)
    if periods.is_process(experiment):
        return _process_results(request, experiment)
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
        "cuped": any(m.cuped for m in metrics),
        "corrected": experiment.correction != "none" and experiment.engine != "bayesian",
    })


@login_required
def portfolio_export(request):
    """The portfolio with the page's filters, every match, as CSV or JSON (docs/exports.md)."""
    form = forms.PortfolioExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(form.problem())
    team = Team.objects.filter(pk=form.cleaned_data["team"]).first() if form.cleaned_data["team"] else None
    experiments = selectors.portfolio(request.user, team=team, **form.filters())
    return export_response(fmt=form.format_name(), filename="experiments", columns=selectors.EXPORT_COLUMNS,
                           rows=selectors.export_rows(experiments))
