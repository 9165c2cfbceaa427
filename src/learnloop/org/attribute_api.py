"""API for the person attributes an organization defines, people's values (admins only) and the
people CSV export."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from learnloop.api_base import Id, InputSchema, Int32, Pagination, errors
from learnloop.audit.request import client_ip
from learnloop.org import attribute_services, selectors
from learnloop.org.exporting import people_csv
from learnloop.org.models import Person, PersonAttribute
from learnloop.org.services import UNSET

router = Router(tags=["people and teams"])


class PersonAttributeOut(Schema):
    id: int
    key: str
    name: str
    values: list[str]
    ordered: bool
    position: int
    created_at: datetime


class PersonAttributeIn(InputSchema):
    key: str = Field(max_length=40, description="Lower-case letters, digits and underscores, e.g. age_band; "
                                                "also the people CSV column name. Can't change later.")
    name: str = Field(max_length=80)
    values: list[str] = Field(max_length=50, description="The allowed values, in order")
    ordered: bool = Field(False, description="Bands in order (age, seniority): surveys may merge adjacent ones")
    position: Int32 | None = None


class PersonAttributePatch(InputSchema):
    name: str | None = Field(None, max_length=80)
    values: list[str] | None = Field(None, max_length=50)
    ordered: bool | None = None
    position: Int32 | None = None


class PersonValuesOut(Schema):
    values: dict[str, str | None] = Field(description="Every attribute's value for the person; null: not recorded")


class PersonValuesIn(InputSchema):
    values: dict[str, str | None] = Field(max_length=50, description="Values to set; null or \"\" clears one")


class PeopleCsvOut(Schema):
    csv: str = Field(description="The people CSV (the columns the people import takes, one per attribute too)")


def _attribute(viewer, attribute_id: int) -> PersonAttribute:
    return get_object_or_404(selectors.person_attributes(viewer=viewer), pk=attribute_id)


@router.get("/person-attributes", response={200: list[PersonAttributeOut], **errors(403)},
            summary="The attributes the organization records about people (admins and learning leads)")
@paginate(Pagination)
def list_attributes(request):
    return selectors.person_attributes(viewer=request.user)


@router.post("/person-attributes", response={201: PersonAttributeOut},
             summary="Define an attribute such as location or age band (admins)")
def create_attribute(request, payload: PersonAttributeIn):
    attribute = attribute_services.create_attribute(by=request.user, **payload.dict())
    return Status(201, attribute)


@router.get("/person-attributes/{attribute_id}", response={200: PersonAttributeOut, **errors(403)},
            summary="One attribute's definition (admins and learning leads)")
def get_attribute(request, attribute_id: Id):
    return _attribute(request.user, attribute_id)


@router.patch("/person-attributes/{attribute_id}", response=PersonAttributeOut,
              summary="Rename an attribute, reorder it or change its values (admins; the key stays)")
def update_attribute(request, attribute_id: Id, payload: PersonAttributePatch):
    attribute = _attribute(request.user, attribute_id)
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return attribute_services.update_attribute(by=request.user, attribute=attribute,
                                               **{name: changes.get(name, UNSET) for name in changes})


@router.delete("/person-attributes/{attribute_id}", response={204: None},
               summary="Delete an attribute and everyone's value (admins; past surveys keep theirs)")
def delete_attribute(request, attribute_id: Id):
    attribute_services.delete_attribute(by=request.user, attribute=_attribute(request.user, attribute_id))
    return Status(204, None)


@router.get("/people/{person_id}/attributes", response={200: PersonValuesOut, **errors(403)},
            summary="A person's attribute values (admins only)")
def get_person_values(request, person_id: Id):
    person = get_object_or_404(Person, pk=person_id)
    return {"values": selectors.person_attribute_values(viewer=request.user, person=person)}


@router.patch("/people/{person_id}/attributes", response=PersonValuesOut,
              summary="Set or clear some of a person's attribute values (admins only; all or nothing)")
def set_person_values(request, person_id: Id, payload: PersonValuesIn):
    person = get_object_or_404(Person, pk=person_id)
    return {"values": attribute_services.set_person_attributes(by=request.user, person=person,
                                                               values=payload.values)}


@router.get("/export/people", response={200: PeopleCsvOut, **errors(403)},
            summary="Everyone as the people CSV, attribute values included (admins only)")
def export_people(request, include_inactive: bool = False):
    return {"csv": people_csv(by=request.user, include_inactive=include_inactive, ip_address=client_ip(request))}
