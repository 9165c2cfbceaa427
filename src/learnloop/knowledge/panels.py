"""What the knowledge base shows on the home page."""

from learnloop.knowledge import selectors


def recent(request):
    return {"entries": list(selectors.recent_entries(viewer=request.user, limit=6))}


def reviews(request):
    queue = list(selectors.review_queue(viewer=request.user)[:6])
    return {"entries": queue} if queue else None
