from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from learnloop.ops import task_admin, taskqueue
from learnloop.ops.forms import RetryForm

PER_PAGE = 50


@login_required
def tasks(request):
    task_admin.require_admin(request.user)
    try:
        states = task_admin.parse_states(request.GET.getlist("state"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        states = task_admin.DEFAULT_STATES
    page = Paginator(task_admin.tasks_for(viewer=request.user, states=states), PER_PAGE).get_page(
        request.GET.get("page"))
    rows = [taskqueue.row_of(task) for task in page]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "ops/tasks.html", {
        "page": page, "rows": rows, "counts": task_admin.state_counts(viewer=request.user),
        "states": states, "all_states": list(taskqueue.STATES),
        "query_string": f"{query.urlencode()}&" if query else "",
    })


@login_required
@require_POST
def retry(request):
    task_admin.require_admin(request.user)
    form = RetryForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["task"]))
        return redirect("ops:tasks")
    task_id = form.cleaned_data["task"]
    ids = [str(task_id)] if task_id else None
    count = task_admin.retry(viewer=request.user, task_ids=ids)
    if ids and not count:
        messages.error(request, gettext("That task is not dead-lettered (it may have been retried already)."))
    else:
        messages.success(request, gettext("Queued %(count)s dead-lettered task(s) again.") % {"count": count})
    return redirect("ops:tasks")
