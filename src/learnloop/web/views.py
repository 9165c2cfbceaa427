from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from learnloop.ops import storage
from learnloop.web.navigation import home_panels_for


@login_required
def home(request):
    return render(request, "web/home.html", {"panels": home_panels_for(request)})


@never_cache
@require_GET
def healthz(request):
    """200 while the database answers a query (503 otherwise); "degraded" when it can't be written.

    A full disk or a read-only data directory still serves reads and sign-in, so a load balancer
    should keep sending traffic: the answer stays 200, with "status": "degraded" and "writes":
    "unavailable" for monitoring to alert on.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        condition = storage.check_storage()
    except Exception as error:
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    if condition is None:
        return JsonResponse({"status": "ok", "database": connection.vendor, "writes": "ok"})
    report = {
        "status": "degraded",
        "database": connection.vendor,
        "writes": "unavailable",
        "problem": condition.problem,
        "detail": condition.description,
    }
    if condition.source == "write":
        report["since"] = condition.since.isoformat()  # the first write that failed
    return JsonResponse(report)
