import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from learnloop.activity.services import record_activity
from learnloop.audit.models import AuditEvent
from learnloop.org import services
from learnloop.org.models import Membership, Person, Team
from tests import factories

pytestmark = pytest.mark.django_db


# --- people ------------------------------------------------------------------------------------


def test_admin_adds_a_person_with_a_lowercased_email(admin):
    person = services.create_person(by=admin, email="  Zoe.Park@Example.ORG ", full_name="Zoe Park")
    assert person.email == "zoe.park@example.org"
    assert not person.has_usable_password()
    assert AuditEvent.objects.filter(kind="person_created", target="zoe.park@example.org").exists()


def test_email_addresses_are_unique_whatever_their_case(admin):
    services.create_person(by=admin, email="zoe@example.org", full_name="Zoe")
    with pytest.raises(ValidationError) as error:
        services.create_person(by=admin, email="ZOE@example.org", full_name="Zoe Two")
    assert "email" in error.value.message_dict


def test_members_cannot_add_people(member):
    with pytest.raises(PermissionDenied):
        services.create_person(by=member, email="x@example.org", full_name="X")


def test_invalid_email_is_refused_with_a_message(admin):
    with pytest.raises(ValidationError) as error:
        services.create_person(by=admin, email="not-an-address", full_name="X")
    assert "not a valid email" in error.value.message_dict["email"][0]


def test_people_edit_their_own_name_but_not_others(member, admin):
    services.update_person(by=member, person=member, full_name="Mo Renamed", title="Engineer")
    member.refresh_from_db()
    assert (member.full_name, member.title) == ("Mo Renamed", "Engineer")
    with pytest.raises(PermissionDenied):
        services.update_person(by=member, person=admin, title="Hacked")


def test_members_cannot_change_their_own_manager(member, admin):
    with pytest.raises(PermissionDenied):
        services.update_person(by=member, person=member, manager=admin)


def test_management_chains_cannot_loop(admin):
    boss = factories.person(full_name="Boss")
    report = factories.person(full_name="Report", manager=boss)
    with pytest.raises(ValidationError) as error:
        services.update_person(by=admin, person=boss, manager=report)
    assert "manager" in error.value.message_dict


def test_role_changes_are_audited(admin, member):
    services.set_person_role(by=admin, person=member, role="learning_lead", ip_address="10.0.0.1")
    event = AuditEvent.objects.get(kind="role_changed")
    assert event.actor == admin
    assert event.target == member.email
    assert event.ip_address == "10.0.0.1"
    assert event.detail == {"scope": "organization", "from": "member", "to": "learning_lead"}


def test_the_last_admin_cannot_be_demoted(admin):
    with pytest.raises(ValidationError):
        services.set_person_role(by=admin, person=admin, role="member")
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_unknown_roles_are_refused(admin, member):
    with pytest.raises(ValidationError):
        services.set_person_role(by=admin, person=member, role="overlord")


def test_deactivation_keeps_the_person_and_revokes_their_tokens(admin, member):
    from learnloop.accounts.services import create_api_token, person_for_token

    _, raw = create_api_token(person=member, name="script")
    services.deactivate_person(by=admin, person=member)
    member.refresh_from_db()
    assert not member.is_active
    assert member.deactivated_at is not None
    assert person_for_token(raw) is None
    assert AuditEvent.objects.filter(kind="person_deactivated", target=member.email).exists()


def test_reactivation_restores_access(admin, member):
    services.deactivate_person(by=admin, person=member)
    services.reactivate_person(by=admin, person=member)
    member.refresh_from_db()
    assert member.is_active and member.deactivated_at is None


def test_admins_cannot_deactivate_themselves(admin):
    with pytest.raises(ValidationError):
        services.deactivate_person(by=admin, person=admin)


def test_someone_who_authored_nothing_is_deleted(admin, member):
    assert services.remove_person(by=admin, person=member) == "deleted"
    assert not Person.objects.filter(pk=member.pk).exists()
    assert AuditEvent.objects.filter(kind="person_deleted", target="mo.member@example.org").exists()


def test_an_author_is_deactivated_instead_of_deleted(admin, member, team):
    record_activity(verb="created", subject=team, actor=member)
    assert services.remove_person(by=admin, person=member) == "deactivated"
    member.refresh_from_db()
    assert not member.is_active


def test_deleting_a_person_keeps_the_audit_trail_readable(admin, member):
    services.set_person_role(by=admin, person=member, role="learning_lead")
    services.remove_person(by=admin, person=member)
    event = AuditEvent.objects.get(kind="role_changed")
    assert event.target == "mo.member@example.org"


# --- teams -------------------------------------------------------------------------------------


def test_teams_sit_inside_departments(admin, department):
    team = services.create_team(by=admin, name="Mobile", parent=department)
    assert team.slug == "mobile"
    assert team.parent == department


def test_team_names_are_unique_whatever_their_case(admin, team):
    with pytest.raises(ValidationError) as error:
        services.create_team(by=admin, name="PAYMENTS")
    assert "already a team" in error.value.message_dict["name"][0]


def test_a_team_cannot_be_the_parent_of_another(admin, team):
    with pytest.raises(ValidationError) as error:
        services.create_team(by=admin, name="Sub", parent=team)
    assert "parent" in error.value.message_dict


def test_departments_cannot_contain_themselves(admin, department):
    inner = services.create_team(by=admin, name="Inner", kind="department", parent=department)
    with pytest.raises(ValidationError):
        services.update_team(by=admin, team=department, parent=inner)


def test_slugs_stay_unique_when_names_slugify_alike(admin):
    first = services.create_team(by=admin, name="Data & AI")
    second = services.create_team(by=admin, name="Data AI")
    assert first.slug != second.slug


def test_members_cannot_create_teams(member):
    with pytest.raises(PermissionDenied):
        services.create_team(by=member, name="Rogue")


def test_a_department_with_active_teams_cannot_be_archived(admin, department, team):
    with pytest.raises(ValidationError):
        services.archive_team(by=admin, team=department)
    services.archive_team(by=admin, team=team)
    services.archive_team(by=admin, team=department)
    assert Team.objects.get(pk=department.pk).is_archived


# --- memberships -------------------------------------------------------------------------------


def test_team_leads_manage_their_own_team(team, member):
    lead = factories.person(full_name="Lead")
    factories.membership(lead, team, role="facilitator")
    membership = services.add_member(by=lead, team=team, person=member)
    services.change_member_role(by=lead, membership=membership, role="facilitator")
    assert Membership.objects.get(pk=membership.pk).role == "facilitator"


def test_department_leads_manage_the_teams_inside(department, team, member):
    head = factories.person(full_name="Head")
    factories.membership(head, department, role="facilitator")
    services.add_member(by=head, team=team, person=member)
    assert Membership.objects.filter(team=team, person=member).exists()


def test_team_leads_cannot_manage_other_teams(department, team, member):
    other = factories.team(name="Mobile", parent=department)
    lead = factories.person(full_name="Lead")
    factories.membership(lead, other, role="facilitator")
    with pytest.raises(PermissionDenied):
        services.add_member(by=lead, team=team, person=member)


def test_plain_members_cannot_manage_their_team(team, member):
    factories.membership(member, team)
    other = factories.person()
    with pytest.raises(PermissionDenied):
        services.add_member(by=member, team=team, person=other)


def test_team_role_changes_are_audited(admin, team, member):
    membership = services.add_member(by=admin, team=team, person=member)
    services.change_member_role(by=admin, membership=membership, role="facilitator")
    event = AuditEvent.objects.get(kind="role_changed")
    assert event.detail == {"scope": "team:payments", "from": "member", "to": "facilitator"}


def test_someone_joins_a_team_only_once(admin, team, member):
    services.add_member(by=admin, team=team, person=member)
    with pytest.raises(ValidationError):
        services.add_member(by=admin, team=team, person=member)


def test_deactivated_people_cannot_join_teams(admin, team, member):
    services.deactivate_person(by=admin, person=member)
    with pytest.raises(ValidationError):
        services.add_member(by=admin, team=team, person=member)
