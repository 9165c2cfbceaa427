from learnloop.ops import storage
from learnloop.web.navigation import nav_items_for


def navigation(request):
    user = getattr(request, "user", None)
    items = nav_items_for(user)
    path = request.path
    current = max(
        (item for item in items if item.section and path.startswith(item.section)),
        key=lambda item: len(item.section),
        default=None,
    )
    return {"nav_items": items, "nav_current": current}


def storage_condition(request):
    """Admins see when writes are failing for lack of storage (see learnloop.ops.storage)."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_admin", False):
        return {}
    return {"storage_condition": storage.cached_check()}
