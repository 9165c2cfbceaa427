import pytest
from playwright.sync_api import Page, expect

from learnloop.audit.models import AuditEvent, AuditKind
from learnloop.org.models import Person, Team

pytestmark = pytest.mark.browser


def upload(page: Page, kind_label: str, name: str, text: str) -> None:
    page.get_by_label(kind_label, exact=True).check()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check file").click()


def test_a_people_file_with_a_bad_row_imports_nobody(page_as, live_server, admin, team):
    people_before = Person.objects.count()
    page = page_as(admin)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people and teams from CSV")

    upload(
        page,
        "People",
        "people.csv",
        "email,full_name,teams\n"
        "rita@example.org,Rita Row,Payments\n"
        "not-an-address,Bad Row,Payments\n"
        "sam@example.org,Sam Smith,Nowhere\n",
    )

    problems = page.get_by_role("alert")
    expect(problems.get_by_role("heading")).to_have_text("2 problem(s) found; nothing was imported.")
    expect(problems.get_by_role("listitem")).to_have_text([
        "row 3, column email: “not-an-address” is not a valid email address.",
        "row 4, column teams: No team called “Nowhere”; import teams first.",
    ])
    # No way to import from here: the file has to be fixed and checked again.
    expect(page.get_by_role("button", name="Check file")).to_be_visible()
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert Person.objects.count() == people_before
    assert not Person.objects.filter(email="rita@example.org").exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.IMPORT).exists()


def test_a_good_teams_file_is_previewed_then_imported(page_as, live_server, admin):
    page = page_as(admin)
    page.goto("/import/")
    upload(
        page,
        "Teams and departments",
        "teams.csv",
        "name,kind,parent,description\n"
        "Platform Group,department,,Shared infrastructure\n"
        "Search,team,Platform Group,Finds things\n"
        "Billing,team,Platform Group,\n",
    )

    preview = page.get_by_role("status").filter(has_text="Check passed")
    expect(preview).to_contain_text("3 teams would be created, 0 updated, 0 unchanged.")
    preview.get_by_text("Rows", exact=True).click()
    expect(preview.get_by_role("listitem")).to_have_text([
        "Row 2: create Platform Group",
        "Row 3: create Search",
        "Row 4: create Billing",
    ])
    # Checking writes nothing.
    assert not Team.objects.exists()

    preview.get_by_role("button", name="Import 3 rows").click()

    expect(page).to_have_url(f"{live_server.url}/teams/")
    expect(page.get_by_role("status")).to_have_text("3 teams were created, 0 updated, 0 unchanged.")
    department = page.get_by_role("region", name="Platform Group")
    expect(department.get_by_role("link", name="Search")).to_be_visible()
    expect(department.get_by_role("link", name="Billing")).to_be_visible()

    platform = Team.objects.get(name="Platform Group")
    assert platform.kind == "department"
    assert platform.description == "Shared infrastructure"
    assert set(platform.children.values_list("name", "kind")) == {("Search", "team"), ("Billing", "team")}
    assert Team.objects.get(name="Search").description == "Finds things"
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORT, actor=admin, target="teams").count() == 1
