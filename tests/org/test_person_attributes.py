"""Person attributes: admins define them and record people's values; nobody else sees a value."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learnloop.audit.models import AuditEvent
from learnloop.org import attribute_services, selectors
from learnloop.org.exporting import people_csv
from learnloop.org.importing import import_people
from learnloop.org.models import PersonAttribute, PersonAttributeValue
from tests import factories
from tests.conftest import signed_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def location(admin):
    return attribute_services.create_attribute(
        by=admin, key="location", name="Location", values=["Rotterdam", "Lisbon", "Nairobi"])


@pytest.fixture
def age_band(admin):
    return attribute_services.create_attribute(
        by=admin, key="age_band", name="Age band", values="under 30\n30–49\n50 and over", ordered=True)


@pytest.fixture
def learning_lead(db):
    return factories.person(email="lee.lead@example.org", full_name="Lee Lead", role="learning_lead")


# --- defining attributes --------------------------------------------------------------------------


def test_admin_defines_an_attribute_with_ordered_values(admin, age_band):
    assert age_band.values == ["under 30", "30–49", "50 and over"]
    assert age_band.ordered
    assert list(selectors.person_attributes(viewer=admin)) == [age_band]


@pytest.mark.parametrize(("fields", "field"), [
    ({"key": "tenure"}, "key"),  # a survey cut already has this name
    ({"key": "Has Space"}, "key"),
    ({"values": []}, "values"),
    ({"values": ["A", "a"]}, "values"),
    ({"values": ["x;y"]}, "values"),
    ({"values": ["not recorded"]}, "values"),
    ({"name": ""}, "name"),
])
def test_bad_definitions_are_refused_with_the_field_named(admin, fields, field):
    arguments = {"key": "location", "name": "Location", "values": ["Rotterdam"], **fields}
    with pytest.raises(ValidationError) as caught:
        attribute_services.create_attribute(by=admin, **arguments)
    assert field in caught.value.message_dict
    assert not PersonAttribute.objects.exists()


def test_only_admins_define_attributes(member, learning_lead):
    for person in (member, learning_lead):
        with pytest.raises(PermissionDenied):
            attribute_services.create_attribute(by=person, key="location", name="Location", values=["A"])


def test_a_value_somebody_holds_cannot_be_removed(admin, member, location):
    attribute_services.set_person_attributes(by=admin, person=member, values={"location": "Nairobi"})
    with pytest.raises(ValidationError, match="Nairobi"):
        attribute_services.update_attribute(by=admin, attribute=location, values=["Rotterdam", "Lisbon"])
    attribute_services.update_attribute(by=admin, attribute=location, values=["Rotterdam", "Lisbon", "NAIROBI"])
    assert PersonAttributeValue.objects.get(person=member).value == "NAIROBI"


# --- people's values ------------------------------------------------------------------------------


def test_values_are_optional_and_matched_ignoring_case(admin, member, location, age_band):
    values = attribute_services.set_person_attributes(by=admin, person=member, values={"location": "lisbon"})
    assert values == {"location": "Lisbon", "age_band": None}
    values = attribute_services.set_person_attributes(by=admin, person=member, values={"location": None})
    assert values == {"location": None, "age_band": None}


def test_a_value_outside_the_list_is_refused_and_nothing_changes(admin, member, location, age_band):
    with pytest.raises(ValidationError) as caught:
        attribute_services.set_person_attributes(by=admin, person=member,
                                                 values={"location": "Lisbon", "age_band": "ancient"})
    assert set(caught.value.message_dict) == {"age_band"}
    assert not PersonAttributeValue.objects.exists()


def test_nobody_but_admins_reads_or_writes_a_persons_values(admin, member, learning_lead, location):
    attribute_services.set_person_attributes(by=admin, person=member, values={"location": "Nairobi"})
    for person in (member, learning_lead):
        with pytest.raises(PermissionDenied):
            selectors.person_attribute_values(viewer=person, person=member)
        with pytest.raises(PermissionDenied):
            attribute_services.set_person_attributes(by=person, person=member, values={"location": "Lisbon"})
        with pytest.raises(PermissionDenied):
            people_csv(by=person)
    assert selectors.person_attribute_values(viewer=admin, person=member) == {"location": "Nairobi"}


def test_person_pages_show_values_to_admins_only(admin, member, learning_lead, location):
    attribute_services.set_person_attributes(by=admin, person=member, values={"location": "Nairobi"})
    page = reverse("org:person", args=[member.pk])
    assert "Nairobi" in signed_in_client(admin).get(page).content.decode()
    for viewer in (member, learning_lead):  # the person themselves included: values come from HR
        client = signed_in_client(viewer)
        assert "Nairobi" not in client.get(page).content.decode()
        assert "Nairobi" not in client.get(reverse("org:people")).content.decode()
        assert client.get(reverse("org:person-attributes", args=[member.pk])).status_code == 403
        assert client.get(reverse("org:people-export")).status_code == 403
        assert client.get(reverse("org:attributes")).status_code == 403


def test_admin_sets_values_on_the_web(admin, admin_client, member, location):
    url = reverse("org:person-attributes", args=[member.pk])
    assert admin_client.post(url, {"location": "Mars"}).status_code == 400
    response = admin_client.post(url, {"location": "Lisbon"})
    assert response.status_code == 302
    assert PersonAttributeValue.objects.get(person=member, attribute=location).value == "Lisbon"


def test_admin_defines_and_edits_an_attribute_on_the_web(admin_client):
    response = admin_client.post(reverse("org:attributes"), {
        "key": "employment_type", "name": "Employment type", "values": "Full-time\nPart-time\nContractor"})
    assert response.status_code == 302
    attribute = PersonAttribute.objects.get(key="employment_type")
    assert attribute.values == ["Full-time", "Part-time", "Contractor"]
    response = admin_client.post(reverse("org:attribute", args=[attribute.pk]), {
        "key": "ignored", "name": "Contract", "values": "Full-time\nPart-time\nContractor\nIntern", "ordered": ""})
    assert response.status_code == 302
    attribute.refresh_from_db()
    assert (attribute.key, attribute.name, attribute.values[-1]) == ("employment_type", "Contract", "Intern")
    assert admin_client.post(reverse("org:attribute-delete", args=[attribute.pk])).status_code == 302
    assert not PersonAttribute.objects.exists()


# --- API ------------------------------------------------------------------------------------------


def test_api_defines_attributes_and_sets_values_for_admins(admin, member, api_as):
    client = api_as(admin)
    created = client.post("/api/v1/person-attributes", {
        "key": "location", "name": "Location", "values": ["Rotterdam", "Nairobi"]}, content_type="application/json")
    assert created.status_code == 201, created.content
    attribute_id = created.json()["id"]
    assert client.get("/api/v1/person-attributes").json()["items"][0]["key"] == "location"
    changed = client.patch(f"/api/v1/people/{member.pk}/attributes", {"values": {"location": "nairobi"}},
                           content_type="application/json")
    assert changed.status_code == 200
    assert changed.json() == {"values": {"location": "Nairobi"}}
    refused = client.patch(f"/api/v1/people/{member.pk}/attributes", {"values": {"location": "Mars"}},
                           content_type="application/json")
    assert refused.status_code == 400
    assert "location" in refused.json()["errors"]
    renamed = client.patch(f"/api/v1/person-attributes/{attribute_id}", {"name": "Office"},
                           content_type="application/json")
    assert renamed.json()["name"] == "Office"
    assert client.get(f"/api/v1/people/{member.pk}/attributes").json() == {"values": {"location": "Nairobi"}}
    assert "Nairobi" in client.get("/api/v1/export/people").json()["csv"]
    assert client.delete(f"/api/v1/person-attributes/{attribute_id}").status_code == 204
    assert not PersonAttributeValue.objects.exists()


def test_api_refuses_values_to_everyone_but_admins(admin, member, learning_lead, location, api_as):
    attribute_services.set_person_attributes(by=admin, person=member, values={"location": "Nairobi"})
    for viewer in (member, learning_lead):
        client = api_as(viewer)
        for path in (f"/api/v1/people/{member.pk}/attributes", "/api/v1/export/people"):
            response = client.get(path)
            assert response.status_code == 403, path
            assert "Nairobi" not in response.content.decode()
        assert "Nairobi" not in client.get(f"/api/v1/people/{member.pk}").content.decode()
        assert "Nairobi" not in client.get("/api/v1/people").content.decode()
        assert client.patch(f"/api/v1/people/{member.pk}/attributes", {"values": {"location": "Lisbon"}},
                            content_type="application/json").status_code == 403
    # Learning leads see the definitions (they choose what a survey records), members don't.
    assert api_as(learning_lead).get("/api/v1/person-attributes").status_code == 200
    assert api_as(member).get("/api/v1/person-attributes").status_code == 403


# --- CSV import and export ------------------------------------------------------------------------


def test_import_takes_attribute_columns(admin, location, age_band):
    data = ("email,full_name,location,age_band\n"
            "a@example.org,Ann,nairobi,30–49\n"
            "b@example.org,Ben,,\n")
    report = import_people(by=admin, data=data, dry_run=False)
    assert report.imported, report.errors
    values = set(PersonAttributeValue.objects.values_list("person__email", "attribute__key", "value"))
    assert values == {("a@example.org", "location", "Nairobi"), ("a@example.org", "age_band", "30–49")}


def test_import_names_the_row_and_column_of_a_bad_value_and_imports_nothing(admin, location, age_band):
    data = ("email,full_name,location,age_band\n"
            "a@example.org,Ann,Nairobi,30–49\n"
            "b@example.org,Ben,Atlantis,30–49\n"
            "c@example.org,Cy,Lisbon,young\n")
    report = import_people(by=admin, data=data, dry_run=False)
    assert [(error.row, error.column) for error in report.errors] == [(3, "location"), (4, "age_band")]
    assert "Atlantis" in report.errors[0].message
    assert not report.imported
    assert not PersonAttributeValue.objects.exists()


def test_an_unknown_attribute_column_is_refused(admin, location):
    report = import_people(by=admin, data="email,full_name,shoe_size\na@example.org,Ann,44\n", dry_run=False)
    assert [(error.row, error.column) for error in report.errors] == [(1, "shoe_size")]


def test_re_importing_an_export_changes_nothing(admin, member, location, age_band):
    attribute_services.set_person_attributes(by=admin, person=member, values={"location": "Lisbon"})
    exported = people_csv(by=admin)
    assert exported.splitlines()[0] == "email,full_name,title,manager_email,teams,role,location,age_band"
    assert AuditEvent.objects.filter(kind="export", target="people").exists()
    report = import_people(by=admin, data=exported, dry_run=True)
    assert report.ok, report.errors
    assert report.count("update") == 0
    changed = exported.replace("Lisbon", "Rotterdam")
    report = import_people(by=admin, data=changed, dry_run=False)
    assert report.count("update") == 1
    assert PersonAttributeValue.objects.get(person=member).value == "Rotterdam"


# --- query counts ----------------------------------------------------------------------------------


def _people_with_values(admin, attributes, count):
    for _ in range(count):
        person = factories.person()
        factories.membership(person, factories.team())
        for attribute in attributes:
            PersonAttributeValue.objects.create(person=person, attribute=attribute, value=attribute.values[0])


def _queries(client, url) -> int:
    client.get(url)  # what a first request does once (the session, a token's first use) is not the page's
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["org:attributes", "org:people-export"])
def test_attribute_pages_take_the_same_queries_at_1x_and_10x(admin, admin_client, location, age_band, url):
    _people_with_values(admin, [location, age_band], 3)
    small = _queries(admin_client, reverse(url))
    _people_with_values(admin, [location, age_band], 27)
    for index in range(2, 10):
        attribute_services.create_attribute(by=admin, key=f"extra_{index}", name=f"Extra {index}", values=["x"])
    assert _queries(admin_client, reverse(url)) == small


def test_attribute_api_list_takes_the_same_queries_at_1x_and_10x(admin, api_as):
    client = api_as(admin)
    attribute_services.create_attribute(by=admin, key="extra_1", name="Extra 1", values=["x"])
    small = _queries(client, "/api/v1/person-attributes")
    for index in range(2, 11):
        attribute_services.create_attribute(by=admin, key=f"extra_{index}", name=f"Extra {index}", values=["x"])
    assert _queries(client, "/api/v1/person-attributes") == small
