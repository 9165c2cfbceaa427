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
