"""Pages for the person attributes (admins): define them, set people's values, export people."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.audit.request import client_ip
from learnloop.org import attribute_services, selectors
from learnloop.org.exporting import people_csv
from learnloop.org.forms import PersonAttributeForm, PersonValuesForm
from learnloop.org.models import Person, PersonAttribute
from learnloop.org.permissions import require_admin
from learnloop.web.forms import apply_validation_error


@login_required
def attribute_list(request):
    """The attributes, and a form to define a new one."""
    require_admin(request.user, "define person attributes")
    form = PersonAttributeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attribute = attribute_services.create_attribute(
                by=request.user, key=data["key"], name=data["name"], values=data["values"],
                ordered=data["ordered"], position=data["position"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was added; set people's values on their pages or by CSV.") % {
                "name": attribute.name})
            return redirect("org:attributes")
    return render(request, "org/attributes.html", {
        "attributes": selectors.person_attributes(viewer=request.user), "form": form,
    }, status=400 if form.errors else 200)


@login_required
def attribute_edit(request, attribute_id: int):
    require_admin(request.user, "change person attributes")
    attribute = get_object_or_404(PersonAttribute, pk=attribute_id)
    initial = {"key": attribute.key, "name": attribute.name, "values": "\n".join(attribute.values),
               "ordered": attribute.ordered, "position": attribute.position}
    form = PersonAttributeForm(request.POST or None, initial=initial)
    form.fields["key"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attribute_services.update_attribute(
                by=request.user, attribute=attribute, name=data["name"], values=data["values"],
                ordered=data["ordered"],
                position=attribute.position if data["position"] is None else data["position"],
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was saved.") % {"name": data['name']})
            return redirect("org:attributes")
    return render(request, "org/attribute_form.html", {"attribute": attribute, "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def attribute_delete(request, attribute_id: int):
    attribute = get_object_or_404(PersonAttribute, pk=attribute_id)
    attribute_services.delete_attribute(by=request.user, attribute=attribute)
    messages.success(request, gettext("%(name)s was deleted with everyone's values.") % {"name": attribute.name})
    return redirect("org:attributes")


@login_required
def person_values(request, person_id: int):
    """One person's attribute values (admins only)."""
    require_admin(request.user, "record people's attributes")
    person = get_object_or_404(Person, pk=person_id)
    attributes = list(selectors.person_attributes(viewer=request.user))
    current = selectors.person_attribute_values(viewer=request.user, person=person)
    form = PersonValuesForm(request.POST or None, attributes=attributes,
                            initial={key: value or "" for key, value in current.items()})
    if request.method == "POST" and form.is_valid():
        try:
            attribute_services.set_person_attributes(by=request.user, person=person, values=form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("%(name)s's attributes were saved.") % {"name": person.full_name})
            return redirect("org:person", person.pk)
    return render(request, "org/person_values.html", {"person": person, "form": form, "attributes": attributes},
                  status=400 if form.errors else 200)


@login_required
def people_export(request):
    text = people_csv(by=request.user, include_inactive=request.GET.get("status") == "all",
                      ip_address=client_ip(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    response["Cache-Control"] = "no-store"
    return response
