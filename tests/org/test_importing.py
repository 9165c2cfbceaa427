import pytest
from django.core.exceptions import PermissionDenied

from learnloop.audit.models import AuditEvent
from learnloop.org.importing import import_people, import_teams
from learnloop.org.models import Membership, Person, Team

pytestmark = pytest.mark.django_db

TEAMS_CSV = """name,kind,parent,description
Engineering,department,,Builds the product
Payments,team,Engineering,Money things
Platform,team,Engineering,
"""


def _errors(report):
    return [(error.row, error.column) for error in report.errors]


def test_a_dry_run_reports_and_writes_nothing(admin):
    report = import_teams(by=admin, data=TEAMS_CSV, dry_run=True)
    assert report.ok
    assert report.count("create") == 3
    assert not Team.objects.exists()


def test_teams_are_imported_with_their_departments(admin):
    report = import_teams(by=admin, data=TEAMS_CSV, dry_run=False)
    assert report.imported
    payments = Team.objects.get(name="Payments")
    assert payments.parent.name == "Engineering"
    assert payments.parent.kind == "department"
    assert AuditEvent.objects.filter(kind="import", target="teams").exists()


def test_a_child_may_come_before_its_department_in_the_file(admin):
    data = "name,kind,parent\nPayments,team,Engineering\nEngineering,department,\n"
    assert import_teams(by=admin, data=data, dry_run=False).imported
    assert Team.objects.get(name="Payments").parent.name == "Engineering"


def test_importing_the_same_teams_again_changes_nothing(admin):
    import_teams(by=admin, data=TEAMS_CSV, dry_run=False)
    report = import_teams(by=admin, data=TEAMS_CSV, dry_run=True)
    assert report.count("unchanged") == 3
    assert Team.objects.count() == 3


def test_one_bad_team_row_stops_the_whole_import(admin):
    data = TEAMS_CSV + "Mobile,squad,Engineering,\nWeb,team,Nowhere,\n"
    report = import_teams(by=admin, data=data, dry_run=False)
    assert not report.ok
    assert _errors(report) == [(5, "kind"), (6, "parent")]
    assert not Team.objects.exists()


def test_teams_cannot_sit_inside_teams(admin):
    data = "name,kind,parent\nPayments,team,\nSub,team,Payments\n"
    report = import_teams(by=admin, data=data, dry_run=True)
    assert _errors(report) == [(3, "parent")]


def test_duplicate_names_in_a_file_are_reported_with_both_rows(admin):
    report = import_teams(by=admin, data="name\nPayments\npayments\n", dry_run=True)
    assert _errors(report) == [(3, "name")]
    assert "row 2" in report.errors[0].message


def test_parent_loops_are_refused(admin):
    data = "name,kind,parent\nA,department,B\nB,department,A\n"
    report = import_teams(by=admin, data=data, dry_run=True)
    assert not report.ok
    assert all(error.column == "parent" for error in report.errors)


def _people_setup(admin):
    import_teams(by=admin, data=TEAMS_CSV, dry_run=False)


PEOPLE_CSV = """email,full_name,title,manager_email,teams,role
lea@example.org,Lea Lead,Engineering Manager,,Payments:facilitator,
sam@example.org,Sam Dev,Engineer,lea@example.org,Payments;Platform,
kim@example.org,Kim Learning,L&D,lea@example.org,,learning_lead
"""


def test_people_are_imported_with_managers_teams_and_roles(admin):
    _people_setup(admin)
    report = import_people(by=admin, data=PEOPLE_CSV, dry_run=False)
    assert report.imported, report.errors
    sam = Person.objects.get(email="sam@example.org")
    assert sam.manager.email == "lea@example.org"
    assert set(sam.memberships.values_list("team__name", flat=True)) == {"Payments", "Platform"}
    assert Membership.objects.get(person__email="lea@example.org").role == "facilitator"
    assert Person.objects.get(email="kim@example.org").role == "learning_lead"
    assert not sam.has_usable_password()


def test_every_bad_people_row_is_reported_and_nothing_is_imported(admin):
    _people_setup(admin)
    data = (
        "email,full_name,manager_email,teams,role\n"
        "ok@example.org,Okay,,Payments,\n"
        "not-an-email,Broken,,,\n"
        "nobody@example.org,,,,\n"
        "x@example.org,X,ghost@example.org,,\n"
        "y@example.org,Y,,Marketing,\n"
        "z@example.org,Z,,,king\n"
    )
    report = import_people(by=admin, data=data, dry_run=False)
    assert sorted(_errors(report)) == [(3, "email"), (4, "full_name"), (5, "manager_email"), (6, "teams"), (7, "role")]
    assert not Person.objects.filter(email__in=["ok@example.org", "x@example.org"]).exists()
    assert any("No team called “Marketing”" in str(error) for error in report.errors)


def test_managers_cannot_form_a_loop(admin):
    data = "email,full_name,manager_email\na@example.org,A,b@example.org\nb@example.org,B,a@example.org\n"
    report = import_people(by=admin, data=data, dry_run=True)
    assert not report.ok
    assert {error.column for error in report.errors} == {"manager_email"}


def test_existing_people_are_updated_and_role_changes_audited(admin, member):
    data = f"email,full_name,title,role\n{member.email.upper()},Mo Member,Staff Engineer,learning_lead\n"
    report = import_people(by=admin, data=data, dry_run=False)
    assert report.count("update") == 1
    member.refresh_from_db()
    assert member.title == "Staff Engineer"
    assert member.role == "learning_lead"
    assert AuditEvent.objects.filter(kind="role_changed", target=member.email).exists()


def test_missing_and_unknown_columns_are_named(admin):
    report = import_people(by=admin, data="full_name,shoe_size\nA,42\n", dry_run=True)
    assert report.errors[0].row == 1
    assert "email" in report.errors[0].column
    report = import_people(by=admin, data="email,full_name,shoe_size\na@example.org,A,42\n", dry_run=True)
    assert "shoe_size" in report.errors[0].column


def test_spreadsheet_exports_with_bom_and_semicolons_are_read(admin):
    data = "\ufeffemail;full_name\r\na@example.org;Änne Österberg\r\n".encode()
    report = import_people(by=admin, data=data, dry_run=False)
    assert report.imported
    assert Person.objects.get(email="a@example.org").full_name == "Änne Österberg"


def test_files_that_are_not_text_get_a_clear_error(admin):
    report = import_people(by=admin, data=b"\xff\xfe\x00\x00binary", dry_run=True)
    assert "UTF-8" in report.errors[0].message
    assert "nothing was imported" in report.summary()


def test_empty_files_get_a_clear_error(admin):
    assert "empty" in import_people(by=admin, data=b"", dry_run=True).errors[0].message


def test_members_cannot_import(member):
    with pytest.raises(PermissionDenied):
        import_people(by=member, data=PEOPLE_CSV, dry_run=True)


def test_people_import_never_creates_duplicate_memberships(admin):
    _people_setup(admin)
    import_people(by=admin, data=PEOPLE_CSV, dry_run=False)
    import_people(by=admin, data=PEOPLE_CSV, dry_run=False)
    assert Membership.objects.filter(person__email="sam@example.org").count() == 2
