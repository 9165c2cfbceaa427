"""People, teams, invitations and imports as HTML pages; rules live in services/selectors."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.audit.request import client_ip
from learnloop.org import invitations as invitation_services
from learnloop.org import ownership, selectors, services
from learnloop.org.forms import (
    AcceptInvitationForm,
    AddMemberForm,
    DeactivateForm,
    HandOverForm,
    ImportForm,
    InvitationForm,
    MembershipUpdateForm,
    PeopleFilterForm,
    PersonEditForm,
    PersonForm,
    PersonStatusForm,
    TeamArchiveForm,
    TeamForm,
)
from learnloop.org.importing import import_people, import_teams
from learnloop.org.models import Invitation, Membership, Person, PersonAttribute, Team, TeamRole
from learnloop.org.permissions import can_manage_team_members, is_admin, require_admin
from learnloop.web.forms import apply_validation_error

PEOPLE_PER_PAGE = 50


# --- People ------------------------------------------------------------------------------------


@login_required
def people_list(request):
    form = PeopleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    status = filters.get("status") or "active"
    result = selectors.people(
        viewer=request.user,
        query=filters.get("q"),
        team=filters.get("team"),
        role=filters.get("role") or None,
        active={"active": True, "inactive": False, "all": None}[status],
    )
    page = Paginator(result, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query_string": f"{query.urlencode()}&" if query else "",
        "can_manage": is_admin(request.user),
    }
    # Search-as-you-type asks for just the results table.
    template = "org/_people_results.html" if request.htmx.target == "people-results" else "org/people_list.html"
    return render(request, template, context)


@login_required
def person_detail(request, person_id: int):
    try:
        person = selectors.person_detail(viewer=request.user, person_id=person_id)
    except Person.DoesNotExist as error:
        raise Http404("No such person.") from error
    attribute_values = None
    if is_admin(request.user):  # a person's attributes are for admins' eyes only
        names = dict(PersonAttribute.objects.values_list("key", "name"))
        values = selectors.person_attribute_values(viewer=request.user, person=person)
        attribute_values = [(names[key], value) for key, value in values.items()]
    return render(request, "org/person_detail.html", {
        "person": person, "can_manage": is_admin(request.user), "attribute_values": attribute_values,
    })


@login_required
def person_create(request):
    require_admin(request.user, "add people")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(by=request.user, ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(
                request,
                gettext("%(name)s was added. They can set a password with “Forgot your password?”.")
                % {"name": person.full_name},
            )
            return redirect("org:person", person.pk)
    return render(request, "org/person_form.html", {"form": form, "title": gettext("Add a person")})


@login_required
def person_edit(request, person_id: int):
    require_admin(request.user, "edit people")
    person = get_object_or_404(Person, pk=person_id)
    initial = {"full_name": person.full_name, "title": person.title, "manager": person.manager, "role": person.role}
    form = PersonEditForm(request.POST or None, initial=initial)
    form.fields["manager"].queryset = form.fields["manager"].queryset.exclude(pk=person.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.edit_person(
                by=request.user,
                person=person,
                full_name=data["full_name"],
                title=data["title"],
                manager=data["manager"],
                role=data["role"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was saved.") % {"name": person.full_name})
            return redirect("org:person", person.pk)
    return render(
        request, "org/person_form.html", {"form": form,
        "title": gettext("Edit %(name)s") % {"name": person.full_name}, "person": person}
    )


@login_required
@require_POST
def person_status(request, person_id: int):
    person = get_object_or_404(Person, pk=person_id)
    form = PersonStatusForm(request.POST)
    action = form.cleaned_data["action"] if form.is_valid() else None
    ip_address = client_ip(request)
    try:
        if action == "deactivate":
            services.deactivate_person(by=request.user, person=person, ip_address=ip_address)
            messages.success(request, gettext("%(name)s was deactivated; what they wrote stays theirs.") % {
                "name": person.full_name})
        elif action == "reactivate":
            services.reactivate_person(by=request.user, person=person, ip_address=ip_address)
            messages.success(request, gettext("%(name)s was reactivated.") % {"name": person.full_name})
        elif action == "remove":
            outcome = services.remove_person(by=request.user, person=person, ip_address=ip_address)
            if outcome == "deleted":
                messages.success(request, gettext("%(name)s was removed.") % {"name": person.full_name})
                return redirect("org:people")
            messages.success(
                request,
                gettext("%(name)s has authored content, so they were deactivated instead of deleted.")
                % {"name": person.full_name},
            )
        else:
            messages.error(request, gettext("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("org:person", person.pk)


# --- Leavers -----------------------------------------------------------------------------------


def _moved_text(moved: dict) -> str:
    labels = {item.key: item.label for item in ownership.kinds()}
    return ", ".join(f"{count} × {labels.get(key, key).lower()}" for key, count in moved.items())


@login_required
def person_deactivate(request, person_id: int):
    """Deactivate someone, choosing who takes over what they own (manager or team lead by default)."""
    require_admin(request.user, "deactivate people")
    person = get_object_or_404(Person.objects.select_related("manager"), pk=person_id)
    if not person.is_active:
        return redirect("org:person", person.pk)
    owned = selectors.owned_by(person)
    successor = services.default_successor(person)
    form = DeactivateForm(request.POST or None, person=person,
                          initial={"new_owner": successor.pk if successor else None})
    if request.method == "POST" and form.is_valid():
        before = {item["key"]: item["count"] for item in owned}
        try:
            services.deactivate_person(
                by=request.user, person=person, new_owner=form.cleaned_data["new_owner"],
                keep_ownership=form.cleaned_data["keep_ownership"], ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            new_owner = form.cleaned_data["new_owner"] or (None if form.cleaned_data["keep_ownership"] else successor)
            if before and new_owner is not None:
                messages.success(request, gettext("%(name)s was deactivated; %(owner)s took over %(what)s.") % {
                    "name": person.full_name, "owner": new_owner.full_name, "what": _moved_text(before)})
            else:
                messages.success(request, gettext("%(name)s was deactivated; what they wrote stays theirs.") % {
                    "name": person.full_name})
            return redirect("org:person", person.pk)
    return render(request, "org/person_deactivate.html", {
        "person": person, "owned": owned, "successor": successor, "form": form,
    }, status=400 if form.errors else 200)


@login_required
def orphans(request):
    """Admins: deactivated people who still own something, with a hand-over form for each."""
    rows = selectors.orphaned_ownership(viewer=request.user)
    # Every row's form offers the same people: read them once, not once per row.
    choices = list(HandOverForm().fields["new_owner"].choices)
    for row in rows:
        row["form"] = HandOverForm(prefix=f"p{row['person'].pk}")
        row["form"].fields["new_owner"].choices = choices
    return render(request, "org/orphans.html", {"rows": rows})


@login_required
@require_POST
def person_hand_over(request, person_id: int):
    require_admin(request.user, "hand over people's work")
    person = get_object_or_404(Person, pk=person_id)
    form = HandOverForm(request.POST, prefix=f"p{person.pk}")
    if form.is_valid():
        try:
            moved = services.hand_over_ownership(by=request.user, person=person,
                                                 new_owner=form.cleaned_data["new_owner"],
                                                 ip_address=client_ip(request))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            what = _moved_text(moved) or gettext("nothing (it had already moved)")
            messages.success(request, gettext("%(owner)s took over %(what)s from %(name)s.") % {
                "owner": form.cleaned_data["new_owner"].full_name, "what": what, "name": person.full_name})
    else:
        messages.error(request, gettext("Choose who takes over their work."))
    return redirect("org:orphans")


# --- Teams -------------------------------------------------------------------------------------


@login_required
def team_list(request):
    return render(
        request,
        "org/team_list.html",
        {"tree": selectors.team_tree(viewer=request.user), "can_manage": is_admin(request.user)},
    )


@login_required
def team_detail(request, slug: str):
    try:
        team = selectors.team_detail(viewer=request.user, slug=slug)
    except Team.DoesNotExist as error:
        raise Http404("No such team.") from error
    can_manage = can_manage_team_members(request.user, team)
    form = AddMemberForm(request.POST or None) if can_manage else None
    if form is not None:
        form.fields["person"].queryset = form.fields["person"].queryset.exclude(memberships__team=team)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(gettext("Only admins and leads of this team can add members."))
        if form.is_valid():
            try:
                services.add_member(by=request.user, team=team, ip_address=client_ip(request), **form.cleaned_data)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, gettext("%(person)s joined %(name)s.") % {
                    "person": form.cleaned_data['person'], "name": team.name})
                return redirect("org:team", team.slug)
    return render(
        request,
        "org/team_detail.html",
        {
            "team": team,
            "members": selectors.team_members(viewer=request.user, team=team),
            "subteams": selectors.teams(viewer=request.user, parent=team),
            "can_manage": can_manage,
            "is_admin": is_admin(request.user),
            "form": form,
            "team_roles": TeamRole.choices,
        },
    )


@login_required
def team_create(request):
    require_admin(request.user, "create teams")
    form = TeamForm(request.POST or None, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was created.") % {"name": team.name})
            return redirect("org:team", team.slug)
    return render(request, "org/team_form.html", {"form": form, "title": gettext("New team or department")})


@login_required
def team_edit(request, slug: str):
    require_admin(request.user, "edit teams")
    team = get_object_or_404(Team, slug=slug)
    initial = {"name": team.name, "kind": team.kind, "parent": team.parent, "description": team.description}
    form = TeamForm(request.POST or None, initial=initial)
    form.fields["parent"].queryset = form.fields["parent"].queryset.exclude(pk=team.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_team(by=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("%(name)s was saved.") % {"name": team.name})
            return redirect("org:team", team.slug)
    return render(request, "org/team_form.html", {"form": form,
                  "title": gettext("Edit %(name)s") % {"name": team.name}, "team": team})


@login_required
@require_POST
def team_archive(request, slug: str):
    team = get_object_or_404(Team, slug=slug)
    form = TeamArchiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["action"]))
        return redirect("org:team", team.slug)
    try:
        if form.cleaned_data["action"] == "unarchive":
            services.unarchive_team(by=request.user, team=team)
            messages.success(request, gettext("%(name)s is active again.") % {"name": team.name})
        else:
            services.archive_team(by=request.user, team=team)
            messages.success(request, gettext("%(name)s was archived.") % {"name": team.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("org:team", team.slug)


@login_required
@require_POST
def membership_update(request, membership_id: int):
    """Change a member's team role or remove them; answers htmx with the updated row."""
    membership = get_object_or_404(Membership.objects.select_related("team", "person"), pk=membership_id)
    team = membership.team
    error_message = None
    form = MembershipUpdateForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(message for errors in form.errors.values() for message in errors))
    try:
        if form.cleaned_data["action"] == "remove":
            services.remove_member(by=request.user, membership=membership, ip_address=client_ip(request))
            if request.htmx:
                # delete() cleared membership.pk; the row keeps the id it was swapped in for.
                return render(
                    request, "org/_member_removed.html", {"membership": membership, "membership_id": membership_id}
                )
            messages.success(request, gettext("%(person)s left %(name)s.") % {
                "person": membership.person, "name": team.name})
            return redirect("org:team", team.slug)
        services.change_member_role(
            by=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            ip_address=client_ip(request),
        )
    except ValidationError as error:
        error_message = " ".join(error.messages)
        membership.refresh_from_db()
    if request.htmx:
        return render(
            request,
            "org/_member_row.html",
            {
                "membership": membership,
                "can_manage": True,
                "team_roles": TeamRole.choices,
                "error_message": error_message,
                "saved": error_message is None,
            },
        )
    if error_message:
        messages.error(request, error_message)
    return redirect("org:team", team.slug)


# --- Invitations -------------------------------------------------------------------------------


@login_required
def invitation_list(request):
    require_admin(request.user, "invite people")
    form = InvitationForm(request.POST or None)
    sent_url = None
    if request.method == "POST" and form.is_valid():
        try:
            invitation, sent_url = invitation_services.invite_person(
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                ip_address=client_ip(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("An invitation was emailed to %(email)s.") % {"email": invitation.email})
            form = InvitationForm()
    return render(
        request,
        "org/invitations.html",
        {
            "form": form,
            "sent_url": sent_url,
            "page": Paginator(selectors.invitations(viewer=request.user), 50).get_page(request.GET.get("page")),
            "query_string": "",
        },
    )


@login_required
@require_POST
def invitation_revoke(request, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitation_services.revoke_invitation(by=request.user, invitation=invitation, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, gettext("The invitation for %(email)s was revoked.") % {"email": invitation.email})
    return redirect("org:invitations")


def invitation_accept(request, token: str):
    invitation = invitation_services.pending_invitation(token)
    if invitation is None:
        return render(request, "org/invitation_invalid.html", status=410)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            person = invitation_services.accept_invitation(
                raw_token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, gettext("Welcome to Learnloop, %(name)s.") % {"name": person.get_short_name()})
            return redirect("web:home")
    return render(request, "org/invitation_accept.html", {"form": form, "invitation": invitation})


# --- Import ------------------------------------------------------------------------------------


@login_required
def import_csv(request):
    require_admin(request.user, "import people and teams")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    csv_text = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["data"]
        importer = import_teams if form.cleaned_data["kind"] == "teams" else import_people
        report = importer(
            by=request.user, data=data, dry_run=not form.cleaned_data["confirm"], ip_address=client_ip(request)
        )
        if report.imported:
            messages.success(request, report.summary())
            return redirect("org:teams" if form.cleaned_data["kind"] == "teams" else "org:people")
        if isinstance(data, bytes) and report.ok:
            csv_text = data.decode("utf-8-sig")
        elif report.ok:
            csv_text = data
    return render(request, "org/import.html", {"form": form, "report": report, "csv_text": csv_text})
