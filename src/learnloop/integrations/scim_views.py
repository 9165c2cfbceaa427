"""The SCIM 2.0 endpoints under /scim/v2 (scim.py decides; these read and answer HTTP).

Plain Django views, not the REST API: SCIM has its own media type, error shape, paging and
PATCH language, and its own credential (a provisioning token; a personal API token or a
browser session never works here).
"""

import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from learnloop.audit.request import client_ip
from learnloop.integrations import scim

MEDIA_TYPE = "application/scim+json"


def _answer(body, status: int = 200) -> HttpResponse:
    if status == 204:
        return HttpResponse(status=204)
    return JsonResponse(body, status=status, content_type=MEDIA_TYPE, json_dumps_params={"ensure_ascii": False})


def _body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise scim.ScimError(400, "The body is not JSON.", "invalidSyntax") from error
    if not isinstance(body, dict):
        raise scim.ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return body


def _actor(request):
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    actor = scim.token_owner(raw.strip()) if scheme.lower() == "bearer" and raw.strip() else None
    if actor is None:
        raise scim.ScimError(401, "A valid provisioning token is required (Authorization: Bearer llscim_…).")
    return actor


def _endpoint(handler):
    @csrf_exempt
    def view(request, *args, **kwargs):
        try:
            actor = _actor(request)
            return handler(request, actor, *args, **kwargs)
        except scim.ScimError as error:
            response = _answer(error.body(), error.status)
            if error.status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response

    view.__name__ = handler.__name__
    return view


def _method_not_allowed(request) -> scim.ScimError:
    return scim.ScimError(405, f"{request.method} is not supported here.")


@_endpoint
def users(request, actor):
    if request.method == "GET":
        return _answer(scim.page(request.GET, scim.find_users(request.GET.get("filter", "")), scim.user_resources))
    if request.method == "POST":
        person = scim.create_user(actor=actor, body=_body(request), ip_address=client_ip(request))
        return _answer(scim.user_resource(person), 201)
    raise _method_not_allowed(request)


@_endpoint
def user(request, actor, person_id: str):
    person = scim.get_person(person_id)
    if request.method == "GET":
        return _answer(scim.user_resource(person))
    if request.method == "PUT":
        fields = scim.user_fields(_body(request))
        person = scim.update_user(actor=actor, person=person, fields=fields, ip_address=client_ip(request))
        return _answer(scim.user_resource(person))
    if request.method == "PATCH":
        fields = scim.patch_fields(_body(request), person)
        person = scim.update_user(actor=actor, person=person, fields=fields, ip_address=client_ip(request))
        return _answer(scim.user_resource(person))
    if request.method == "DELETE":
        scim.deactivate_user(actor=actor, person=person, ip_address=client_ip(request))
        return _answer(None, 204)
    raise _method_not_allowed(request)


def _with_members(request) -> bool:
    excluded = {name.strip().lower() for name in request.GET.get("excludedAttributes", "").split(",")}
    return "members" not in excluded


@_endpoint
def groups(request, actor):
    if request.method == "GET":
        with_members = _with_members(request)
        return _answer(scim.page(request.GET, scim.find_groups(request.GET.get("filter", "")),
                                 lambda teams: scim.group_resources(teams, with_members=with_members)))
    if request.method == "POST":
        team = scim.create_group(actor=actor, body=_body(request), ip_address=client_ip(request))
        return _answer(scim.group_resources([team])[0], 201)
    raise _method_not_allowed(request)


@_endpoint
def group(request, actor, team_id: str):
    team = scim.get_team(team_id)
    if request.method == "GET":
        return _answer(scim.group_resources([team], with_members=_with_members(request))[0])
    if request.method == "PUT":
        team = scim.replace_group(actor=actor, team=team, body=_body(request), ip_address=client_ip(request))
        return _answer(scim.group_resources([team])[0])
    if request.method == "PATCH":
        team = scim.patch_group(actor=actor, team=team, body=_body(request), ip_address=client_ip(request))
        return _answer(scim.group_resources([team])[0])
    if request.method == "DELETE":
        scim.delete_group(actor=actor, team=team)
        return _answer(None, 204)
    raise _method_not_allowed(request)


@_endpoint
def service_provider_config(request, actor):
    return _answer({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://github.com/learnloop/learnloop/blob/main/docs/integrations.md#scim-provisioning",
        "patch": {"supported": True}, "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": scim.MAX_COUNT}, "changePassword": {"supported": False},
        "sort": {"supported": False}, "etag": {"supported": False},
        "authenticationSchemes": [{"type": "oauthbearertoken", "name": "Provisioning token", "primary": True,
                                   "description": "Authorization: Bearer llscim_… (learnloop scim token-create)"}],
        "meta": {"resourceType": "ServiceProviderConfig"},
    })


@_endpoint
def resource_types(request, actor):
    types = [
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "User", "name": "User",
         "endpoint": "/Users", "schema": scim.USER_SCHEMA, "meta": {"resourceType": "ResourceType"}},
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"], "id": "Group", "name": "Group",
         "endpoint": "/Groups", "schema": scim.GROUP_SCHEMA, "meta": {"resourceType": "ResourceType"}},
    ]
    return _answer({"schemas": [scim.LIST_SCHEMA], "totalResults": 2, "startIndex": 1, "itemsPerPage": 2,
                    "Resources": types})
