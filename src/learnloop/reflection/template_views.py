"""Template pages: the list, cloning a template into the organization or a team, and editing a
custom template's name, description and columns.

Built-in templates are never edited: cloning is how a team makes one its own. Every write goes
through the template services, which check who may write at which scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.org.models import Team
from learnloop.reflection import selectors, services
from learnloop.reflection.forms import CloneForm, TemplateForm, cleaned
from learnloop.reflection.models import TemplateScope
from learnloop.reflection.permissions import can_write_template, teams_where_can_write_template
from learnloop.reflection.services import MAX_COLUMNS

# Empty rows offered under a template's columns, for adding new ones.
SPARE_ROWS = 2


def _scopes_for(person) -> list[tuple[str, str]]:
    """Where this person may put a template: [(value, label)], value "organization" or "team:<id>"."""
    scopes = []
    if can_write_template(person, scope=TemplateScope.ORGANIZATION):
        scopes.append(("organization", gettext("The whole organization")))
    for team in teams_where_can_write_template(person, Team.objects.filter(archived_at=None).order_by("name")):
        scopes.append((f"team:{team.pk}", gettext("Team: %(team)s") % {"team": team.name}))
    return scopes


def _scope_from(value: str) -> tuple[str, Team | None]:
    """A scope chosen from _scopes_for (CloneForm checks that it is one of them)."""
    if value == "organization":
        return TemplateScope.ORGANIZATION, None
    return TemplateScope.TEAM, Team.objects.get(pk=int(value.removeprefix("team:")))


def _error(request, error) -> None:
    messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))


def _can_edit(person, template) -> bool:
    return not template.is_builtin and can_write_template(person, scope=template.scope, team=template.team)


@login_required
def template_list(request):
    templates = selectors.templates_for(request.user)
    # Which team templates the viewer may edit, for all of them at once (not a query per template).
    team_templates = {t.team_id: t.team for t in templates if t.scope == TemplateScope.TEAM and t.team_id}
    writable = {team.pk for team in teams_where_can_write_template(request.user, team_templates.values())}

    def can_edit(template) -> bool:
        if template.scope == TemplateScope.TEAM:
            return template.team_id in writable
        return _can_edit(request.user, template)

    sections = [
        (label, [(t, can_edit(t)) for t in templates if t.scope == scope])
        for scope, label in (
            (TemplateScope.BUILTIN, gettext("Built in")),
            (TemplateScope.ORGANIZATION, gettext("Organization")),
            (TemplateScope.TEAM, gettext("Team")),
        )
    ]
    return render(request, "reflection/templates.html", {"sections": sections, "scopes": _scopes_for(request.user)})


@login_required
@require_POST
def template_clone(request, template_id: int):
    template = selectors.template_for(request.user, template_id)
    try:
        data = cleaned(CloneForm(request.POST, scopes=_scopes_for(request.user)))
        scope, team = _scope_from(data["scope"])
        clone = services.clone_template(
            by=request.user, template=template, scope=scope, team=team, name=data["name"].strip() or None
        )
    except (ValidationError, PermissionDenied) as error:
        _error(request, error)
        return redirect("reflection:templates")
    messages.success(request, gettext("“%(name)s” is yours to edit.") % {"name": clone.name})
    return redirect("reflection:template-edit", clone.pk)


@login_required
def template_edit(request, template_id: int):
    template = selectors.template_for(request.user, template_id)
    if not _can_edit(request.user, template):
        raise PermissionDenied(gettext("Only the template's owners can edit it; clone it to make your own."))
    name, description, columns = template.name, template.description, list(template.columns)
    if request.method == "POST":
        form = TemplateForm(request.POST)
        name, description, columns = form.typed()
        try:
            data = cleaned(form)
            services.update_template(
                by=request.user,
                template=template,
                name=data["name"],
                description=data["description"],
                columns=form.columns(),
            )
        except ValidationError as error:
            _error(request, error)  # the form comes back with what was typed
        else:
            messages.success(request, gettext("Template saved."))
            return redirect("reflection:template-edit", template.pk)
    spare = max(0, min(SPARE_ROWS, MAX_COLUMNS - len(columns)))
    rows = [*columns, *({"key": "", "title": "", "prompt": ""} for _ in range(spare))]
    return render(
        request,
        "reflection/template_edit.html",
        {
            "template": template,
            "name": name,
            "description": description,
            "rows": rows,
        },
    )
