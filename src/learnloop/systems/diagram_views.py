"""Causal loop diagram pages: the list, one diagram (the editor on Cytoscape.js, the same model as
tables with forms that work without the canvas, its loops and archetypes, bound variables'
trends and correlations, comments, attachments, interventions), and its versions. Every form
posts, calls the same service as the API and redirects back; on an error the page comes back
with the form and its messages (400)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learnloop.systems import archetype_texts
from learnloop.systems import diagram_forms as forms
from learnloop.systems import diagram_selectors as selectors
from learnloop.systems import diagram_services as services
from learnloop.systems.diagram_bindings import bound_series, correlations
from learnloop.systems.diagram_models import DiagramAttachment
from learnloop.systems.diagram_permissions import can_create_anywhere, can_edit
from learnloop.web.forms import apply_validation_error


def _names(diagram) -> list[str]:
    return [item["name"] for item in diagram.content.get("variables", [])]


@login_required
def diagrams(request):
    form = forms.DiagramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diagram = services.create_diagram(by=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            return redirect("systems:diagram", diagram.pk)
    diagrams = list(selectors.diagrams_for(request.user))
    for item in diagrams:
        item.archetype_titles = [archetype_texts.title(match)
                                 for match in item.analysis.get("archetypes", {}).get("matches", [])]
    return render(request, "systems/diagrams.html", {
        "diagrams": diagrams, "form": form,
        "can_create": can_create_anywhere(request.user)}, status=400 if form.errors else 200)


def _refused(form, error) -> None:
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You may not do that."))
    else:
        apply_validation_error(form, error)


def _editor_data(diagram, series) -> dict:
    trends = {item.variable: {"label": item.label, "latest": item.latest, "direction": item.direction,
                              "visible": item.visible} for item in series}
    return {"content": diagram.content, "analysis": diagram.analysis, "version": diagram.version,
            "trends": trends, "texts": _editor_texts()}


def _editor_texts() -> dict:
    """The editor's sentences in the reader's language; diagram_editor.js fills in the {placeholders}."""
    return {
        "bound": _("(bound)"), "highlighted": _("Highlighted: {path}"),
        "name_first": _("Type the variable's name first."),
        "variable_exists": _("There is already a variable “{name}”."),
        "variable_added": _("Added the variable “{name}”."), "choose_two": _("Choose two variables."),
        "link_exists": _("There is already a link from “{from}” to “{to}”."),
        "linked": _("Linked “{from}” → “{to}” ({polarity}). Save to read the loops again."),
        "linked_delayed": _("Linked “{from}” → “{to}” ({polarity}, delayed). Save to read the loops again."),
        "select_first": _("Select a variable or link on the drawing first."),
        "removed": _("Removed what was selected."), "laid_out": _("Laid out automatically."), "undone": _("Undone."),
        "linking_from": _("Linking from “{name}”: click the variable it affects."),
        "not_saved": _("Not saved: your drawing is kept, correct it and save again."),
    }


def _archetypes(analysis: dict) -> dict:
    """The archetype report with each role named in words ("problem_and_fix" -> "problem and fix")."""
    report = dict(analysis.get("archetypes", {}))
    report["matches"] = [archetype_texts.match_in_words(match) for match in report.get("matches", [])]
    return report


def _context(request, diagram, **bound_forms) -> dict:
    names = _names(diagram)
    through = diagram.analysis.get("loops", {}).get("loops_through", {})
    months, series = bound_series(request.user, diagram, today=timezone.localdate())
    context = {
        "diagram": diagram, "names": names, "can_edit": can_edit(request.user, diagram),
        "variable_rows": [(item, through.get(item["name"], 0)) for item in diagram.content.get("variables", [])],
        "loops": archetype_texts.loops_in_words(diagram.analysis.get("loops", {})),
        "archetypes": _archetypes(diagram.analysis),
        "months": months, "series": series, "correlations": correlations(series),
        "chart": {"months": months, "series": [item.as_dict() for item in series if item.visible]},
        "comments": selectors.comments(diagram), "attachments": selectors.attachments(request.user, diagram),
        "interventions": selectors.interventions(request.user, diagram),
        "versions": selectors.versions(diagram)[:20],
        "save_form": forms.SaveForm(initial={"base_version": diagram.version}),
        "variable_form": forms.VariableForm(), "link_form": forms.LinkForm(names=names),
        "bind_form": forms.BindForm(names=names), "comment_form": forms.CommentForm(),
        "attach_form": forms.AttachForm(), "intervention_form": forms.InterventionForm(names=names),
    }
    context.update(bound_forms)
    context["editor"] = _editor_data(diagram, series)
    return context


@login_required
def diagram(request, diagram_id: int):
    found = selectors.diagram_for(request.user, diagram_id)
    return render(request, "systems/diagram.html", _context(request, found))


# Each table-view form: its class, whether it needs the variable names, and the service call.
def _variable_add(request, diagram, data):
    services.add_variable(by=request.user, diagram=diagram, name=data["name"])


def _link_add(request, diagram, data):
    services.add_link(by=request.user, diagram=diagram, source=data["source"], target=data["target"],
                      polarity=data["polarity"], delay=data["delay"])


def _bind(request, diagram, data, form):
    services.bind_variable(by=request.user, diagram=diagram, name=data["name"], binding=form.binding())


def _comment(request, diagram, data):
    services.add_comment(by=request.user, diagram=diagram, text=data["text"])


def _attach(request, diagram, data):
    services.attach(by=request.user, diagram=diagram, target_type=data["target_type"], target_id=data["target_id"])


FORMS = {
    "variable": ("variable_form", forms.VariableForm, False, _variable_add, "table"),
    "link": ("link_form", forms.LinkForm, True, _link_add, "table"),
    "bind": ("bind_form", forms.BindForm, True, _bind, "bound"),
    "comment": ("comment_form", forms.CommentForm, False, _comment, "comments"),
    "attach": ("attach_form", forms.AttachForm, False, _attach, "attachments"),
}


@login_required
@require_POST
def change(request, diagram_id: int, what: str):
    found = selectors.diagram_for(request.user, diagram_id)
    if what not in FORMS:
        raise Http404("No such change.")
    name, form_class, with_names, call, anchor = FORMS[what]
    form = form_class(request.POST, names=_names(found)) if with_names else form_class(request.POST)
    if form.is_valid():
        try:
            if what == "bind":
                call(request, found, form.cleaned_data, form)
            else:
                call(request, found, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            return redirect(reverse("systems:diagram", args=[found.pk]) + "#" + anchor)
    return render(request, "systems/diagram.html", _context(request, found, **{name: form}), status=400)


@login_required
@require_POST
def save(request, diagram_id: int):
    """The editor's save: a new version with the model it sent."""
    found = selectors.diagram_for(request.user, diagram_id)
    form = forms.SaveForm(request.POST)
    if form.is_valid():
        try:
            services.save_diagram(by=request.user, diagram=found, content=form.cleaned_data["content"],
                                  note=form.cleaned_data["note"], base_version=form.cleaned_data["base_version"])
        except PermissionDenied as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            # The model travels in hidden fields: every problem is shown above the form.
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Saved as a new version; loops and archetypes are read again."))
            return redirect("systems:diagram", found.pk)
    for name in ("content", "base_version"):
        for problem in form.errors.pop(name, []):
            form.add_error(None, problem)
    context = _context(request, found, save_form=form)
    if isinstance(form.cleaned_data.get("content"), dict):
        # Keep the unsaved model in the editor so nothing drawn is lost.
        context["editor"]["content"] = form.cleaned_data["content"]
        context["editor"]["unsaved"] = True
    return render(request, "systems/diagram.html", context, status=400)


@login_required
@require_POST
def remove(request, diagram_id: int):
    """Remove a variable (with its links) or a link, from the table view."""
    found = selectors.diagram_for(request.user, diagram_id)
    form = forms.RemoveForm(request.POST)
    form.is_valid()  # every field is optional text; the service says what is missing
    data = {key: form.cleaned_data.get(key, "") for key in ("name", "source", "target")}
    try:
        if data["target"]:
            services.remove_link(by=request.user, diagram=found, source=data["source"], target=data["target"])
        else:
            services.remove_variable(by=request.user, diagram=found, name=data["name"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("systems:diagram", args=[found.pk]) + "#table")


@login_required
@require_POST
def detach(request, diagram_id: int, attachment_id: int):
    found = selectors.diagram_for(request.user, diagram_id)
    attachment = get_object_or_404(DiagramAttachment, pk=attachment_id, diagram=found)
    services.detach(by=request.user, attachment=attachment)
    return redirect(reverse("systems:diagram", args=[found.pk]) + "#attachments")


@login_required
@require_POST
def intervene(request, diagram_id: int):
    found = selectors.diagram_for(request.user, diagram_id)
    form = forms.InterventionForm(request.POST, names=_names(found))
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = services.create_intervention(by=request.user, diagram=found, kind=data["kind"],
                                                variable=data["variable"], link_target=data["link_target"],
                                                description=data["description"], title=data["title"],
                                                team=data["team"])
        except (ValidationError, PermissionDenied) as error:
            _refused(form, error)
        else:
            if made.kind == "experiment":
                messages.success(request, _("A draft experiment with the hypothesis filled in; review its protocol "
                                            "before you start it."))
                return redirect("experiments:detail", int(made.target_id))
            messages.success(request, _("The action is recorded; its source is this diagram."))
            return redirect("actions:detail", int(made.target_id))
    return render(request, "systems/diagram.html", _context(request, found, intervention_form=form), status=400)


@login_required
def version(request, diagram_id: int, number: int):
    found = selectors.diagram_for(request.user, diagram_id)
    old = selectors.version_of(found, number)
    return render(request, "systems/version.html", {
        "diagram": found, "old": old, "can_edit": can_edit(request.user, found),
        "editor": {"content": old.content, "analysis": {}, "version": old.number, "trends": {}, "readonly": True,
                   "texts": _editor_texts()}})


@login_required
@require_POST
def restore(request, diagram_id: int, number: int):
    found = selectors.diagram_for(request.user, diagram_id)
    try:
        services.restore_version(by=request.user, diagram=found, number=number)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("systems:diagram", found.pk)
