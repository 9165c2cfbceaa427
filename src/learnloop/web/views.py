from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from learnloop.web.navigation import home_panels_for


@login_required
def home(request):
    return render(request, "web/home.html", {"panels": home_panels_for(request)})


@never_cache
@require_GET
def healthz(request):
    """200 only when the database answers a query; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return JsonResponse({"status": "error", "database": type(error).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
