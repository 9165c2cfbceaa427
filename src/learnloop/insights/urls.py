from django.urls import path

from learnloop.insights import dashboard_views, themes_urls

app_name = "insights"

urlpatterns = [
    # Dashboards (dashboard_views.py)
    path("", dashboard_views.dashboard_index, name="dashboards"),
    path("organization/", dashboard_views.dashboard_page, name="dashboard-organization"),
    path("organization/<slug:chart>.csv", dashboard_views.dashboard_csv, name="dashboard-organization-csv"),
    path("teams/<slug:slug>/", dashboard_views.dashboard_page, name="dashboard"),
    path("teams/<slug:slug>/<slug:chart>.csv", dashboard_views.dashboard_csv, name="dashboard-csv"),

    *themes_urls.urlpatterns,
]
