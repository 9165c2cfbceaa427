"""What the registry shows on the home page."""

from learnloop.experiments import selectors


def running(request):
    experiments = selectors.recent_for_home(request.user)
    return {"experiments": experiments} if experiments else None
