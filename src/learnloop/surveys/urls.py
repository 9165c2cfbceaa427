from django.urls import path

from learnloop.surveys import advice_views, views

app_name = "surveys"

urlpatterns = [
    path("", views.campaign_list, name="campaigns"),
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/import/", views.instrument_import, name="instrument_import"),
    path("instruments/<slug:slug>/", views.instrument_detail, name="instrument"),
    path("campaigns/new/", views.campaign_create, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/state/", views.campaign_state, name="campaign_state"),
    path("campaigns/<int:campaign_id>/launch/", views.campaign_launch, name="campaign_launch"),
    path("campaigns/<int:campaign_id>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:campaign_id>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:campaign_id>/report/", views.report, name="report"),
    path("campaigns/<int:campaign_id>/report/export/", views.report_export, name="report_export"),
    path("campaigns/<int:campaign_id>/focus/", views.focus_create, name="focus_create"),
    path("trends/", views.trends, name="trends"),
    path("threshold/", views.threshold, name="threshold"),
    path("respond/<str:token>/", views.respond, name="respond"),
    path("campaigns/<int:campaign_id>/advice/", advice_views.advice_page, name="advice"),
]
