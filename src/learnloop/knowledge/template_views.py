"""Entry templates: the list with a form to add one, editing and deleting (entry_templates.py
decides who may)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.knowledge import entry_templates
from learnloop.knowledge.forms import EntryTemplateForm
from learnloop.org.membership import led_team_ids
from learnloop.org.models import Team
from learnloop.web.forms import apply_validation_error


def _manageable_teams(person):
    teams = Team.objects.filter(archived_at__isnull=True).order_by("name")
    return teams if person.is_learning_lead else teams.filter(pk__in=led_team_ids(person))


@login_required
def template_list(request):
    teams = list(_manageable_teams(request.user))
    may_add = request.user.is_learning_lead or bool(teams)
    form = None
    if may_add:
        form = EntryTemplateForm(request.POST or None, teams=teams, organization=request.user.is_learning_lead)
        if request.method == "POST" and form.is_valid():
            try:
                template = entry_templates.create_template(
                    by=request.user, kind=form.cleaned_data["kind"], team=form.cleaned_data["team"], **form.values())
            except ValidationError as error:
                apply_validation_error(form, error)
            except PermissionDenied as error:  # the organization chosen by someone who may only add a team's
                form.add_error("team", str(error))
            else:
                messages.success(request, gettext("The template “%(name)s” was added.") % {"name": template.name})
                return redirect("knowledge:templates")
    templates = list(entry_templates.usable_templates(viewer=request.user))
    for template in templates:
        template.manageable = entry_templates.can_manage(request.user, template.team)
    return render(request, "knowledge/templates.html", {"templates": templates, "form": form})


@login_required
def template_edit(request, template_id: int):
    template = entry_templates.template_for(viewer=request.user, template_id=template_id)
    if template is None:
        raise Http404("No such template, or it is another team's.")
    entry_templates.require_manage(request.user, template.team)
    form = EntryTemplateForm(request.POST or None, teams=[], organization=False, editing=True,
                             initial={field: getattr(template, field) for field in
                                      ("name", "description", *entry_templates.TEXT_FIELDS)})
    if request.method == "POST" and form.is_valid():
        try:
            entry_templates.update_template(by=request.user, template=template, **form.values())
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("The template “%(name)s” was saved.") % {"name": template.name})
            return redirect("knowledge:templates")
    return render(request, "knowledge/template_form.html", {"template": template, "form": form})


@login_required
@require_POST
def template_delete(request, template_id: int):
    template = entry_templates.template_for(viewer=request.user, template_id=template_id)
    if template is None:
        raise Http404("No such template, or it is another team's.")
    entry_templates.delete_template(by=request.user, template=template)
    messages.success(request, gettext("The template “%(name)s” was deleted.") % {"name": template.name})
    return redirect("knowledge:templates")
