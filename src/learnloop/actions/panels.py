"""What the action engine shows on the home page."""

from django.utils import timezone

from learnloop.actions import selectors

PANEL_SIZE = 6


def mine(request):
    """The person's open actions, overdue first, and checks waiting for an answer."""
    today = timezone.localdate()
    actions = selectors.mark_overdue(selectors.my_actions(request.user).order_by("due_on", "id"), today=today)
    actions.sort(key=lambda action: (not action.overdue, not action.check_pending))
    return {"actions": actions[:PANEL_SIZE], "more": max(0, len(actions) - PANEL_SIZE)}
