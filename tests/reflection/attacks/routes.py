"""Every URL the attack scenarios call, in one place.

Issue 10 moves card and group ids out of the URL path of every write (they go in the body), so
that an access log no longer names what was written or voted on. The scenarios are written
against those new contracts; while the reflection app still has the old routes, the old shape is
used instead, so the attacks can be measured on today's code too.

`NEW_CONTRACTS` picks the shape: None detects it (the new routes exist → use them), True/False
forces one. Once the fix is merged nothing needs switching; to drop the old shape, delete the
`if not new_contracts()` branches below (marked OLD ROUTE).
"""

from functools import cache

from django.urls import Resolver404, resolve, reverse

NEW_CONTRACTS: bool | None = None
API = "/api/v1/reflection/sessions"


@cache
def new_contracts() -> bool:
    if NEW_CONTRACTS is not None:
        return NEW_CONTRACTS
    try:
        resolve("/sessions/1/votes/")
        resolve(f"{API}/1/votes")
    except Resolver404:
        return False
    return True


# --- web UI: form posts (Django test Client, form-encoded) ---------------------------------------------


def login() -> str:
    return reverse("accounts:login")


def board(session_id: int) -> str:
    return reverse("reflection:session", args=[session_id])


def phase(session_id: int) -> str:
    return reverse("reflection:phase", args=[session_id])


def anonymity(session_id: int) -> str:
    return reverse("reflection:anonymity", args=[session_id])


def group_cards(session_id: int) -> str:
    return reverse("reflection:group", args=[session_id])


def write_card(session_id: int, column: str, text: str) -> tuple[str, dict]:
    return reverse("reflection:write-card", args=[session_id]), {"column": column, "text": text}


def edit_card(session_id: int, card_id, text: str) -> tuple[str, dict]:
    if not new_contracts():  # OLD ROUTE
        return reverse("reflection:edit-card", args=[session_id, card_id]), {"text": text}
    return f"/sessions/{session_id}/cards/edit/", {"card": str(card_id), "text": text}


def delete_card(session_id: int, card_id) -> tuple[str, dict]:
    if not new_contracts():  # OLD ROUTE
        return reverse("reflection:delete-card", args=[session_id, card_id]), {}
    return f"/sessions/{session_id}/cards/delete/", {"card": str(card_id)}


def vote(session_id: int, group_id, *, withdraw: bool = False) -> tuple[str, dict]:
    if not new_contracts():  # OLD ROUTE
        return reverse("reflection:vote", args=[session_id, group_id]), ({"withdraw": "1"} if withdraw else {})
    return f"/sessions/{session_id}/votes/", {"group": str(group_id), "op": "withdraw" if withdraw else "add"}


def rename_group(session_id: int, group_id, title: str) -> tuple[str, dict]:
    if not new_contracts():  # OLD ROUTE
        return reverse("reflection:rename-group", args=[session_id, group_id]), {"title": title}
    return f"/sessions/{session_id}/groups/rename/", {"group": str(group_id), "title": title}


# --- API: (method, path, JSON body) ------------------------------------------------------------------------


def api_join(session_id: int) -> tuple[str, str, dict | None]:
    return "POST", f"{API}/{session_id}/join", None


def api_write_card(session_id: int, column: str, text: str) -> tuple[str, str, dict | None]:
    return "POST", f"{API}/{session_id}/cards", {"column": column, "text": text}


def api_edit_card(session_id: int, card_id, text: str) -> tuple[str, str, dict | None]:
    if not new_contracts():  # OLD ROUTE
        return "PATCH", f"{API}/{session_id}/cards/{card_id}", {"text": text}
    return "POST", f"{API}/{session_id}/cards/edit", {"card_id": str(card_id), "text": text}


def api_delete_card(session_id: int, card_id) -> tuple[str, str, dict | None]:
    if not new_contracts():  # OLD ROUTE
        return "DELETE", f"{API}/{session_id}/cards/{card_id}", None
    return "POST", f"{API}/{session_id}/cards/delete", {"card_id": str(card_id)}


def api_vote(session_id: int, group_id, *, withdraw: bool = False) -> tuple[str, str, dict | None]:
    if not new_contracts():  # OLD ROUTE
        return ("DELETE" if withdraw else "POST"), f"{API}/{session_id}/groups/{group_id}/votes", None
    return "POST", f"{API}/{session_id}/votes" + ("/withdraw" if withdraw else ""), {"group_id": str(group_id)}


# --- what a log reader recognizes -----------------------------------------------------------------------------
# Paths of writes to cards and votes, as an attacker reading an access log would classify them.
# Written as patterns over both shapes so the same attacker code reads old and new logs.

CARD_WRITE = (r"^/sessions/(?P<session>\d+)/cards/$", rf"^{API}/(?P<session>\d+)/cards$")
CARD_CHANGE = (  # edits and deletes; the id, if any, is in the path
    r"^/sessions/(?P<session>\d+)/cards/(?:(?P<card>[0-9a-f-]{32,36})/)?(?P<what>edit|delete)/$",
    rf"^{API}/(?P<session>\d+)/cards/(?:(?P<card>[0-9a-f-]{{32,36}})|(?P<what>edit|delete))$",
)
VOTE = (
    r"^/sessions/(?P<session>\d+)/(?:groups/(?P<group>[0-9a-f-]{32,36})/vote|votes)/$",
    rf"^{API}/(?P<session>\d+)/(?:groups/(?P<group>[0-9a-f-]{{32,36}})/votes|votes(?:/withdraw)?)$",
)
