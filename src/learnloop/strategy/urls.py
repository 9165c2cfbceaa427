from django.urls import path

from learnloop.strategy import views

app_name = "strategy"

urlpatterns = [
    path("", views.home, name="home"),
    path("goals/", views.goals, name="goals"),
    path("objectives/<int:objective_id>/", views.objective, name="objective"),
    path("objectives/<int:objective_id>/key-results/", views.add_key_result, name="add_key_result"),
    path("key-results/<int:key_result_id>/", views.key_result, name="key_result"),
    path("key-results/<int:key_result_id>/bind/", views.bind, name="bind"),
    path("key-results/<int:key_result_id>/values/", views.record_value, name="record_value"),
    path("key-results/<int:key_result_id>/refresh/", views.refresh, name="refresh"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("roadmap/new/", views.plan_initiative, name="plan"),
    path("initiatives/<int:initiative_id>/", views.initiative, name="initiative"),
    path("initiatives/<int:initiative_id>/status/", views.initiative_status, name="initiative_status"),
    path("initiatives/<int:initiative_id>/spend/", views.add_spend, name="add_spend"),
    path("initiatives/<int:initiative_id>/links/", views.add_link, name="add_link"),
    path("teams/<slug:slug>/", views.team, name="team"),
    path("barriers/", views.barriers, name="barriers"),
    path("vision/new/", views.vision_create, name="vision_create"),
    path("vision/<int:vision_id>/", views.vision_page, name="vision"),
    path("vision/<int:vision_id>/draft/", views.vision_draft, name="vision_draft"),
    path("vision/<int:vision_id>/rounds/", views.vision_round, name="vision_round"),
    path("vision/<int:vision_id>/rounds/close/", views.vision_close_round, name="vision_close_round"),
    path("vision/<int:vision_id>/proposals/", views.vision_propose, name="vision_propose"),
    path("vision/<int:vision_id>/support/", views.vision_support, name="vision_support"),
    path("vision/<int:vision_id>/decide/", views.vision_decide, name="vision_decide"),
    path("vision/<int:vision_id>/publish/", views.vision_publish, name="vision_publish"),
    path("vision/<int:vision_id>/connect/", views.vision_connect, name="vision_connect"),
    path("vision/<int:vision_id>/versions/<int:number>/", views.vision_version, name="vision_version"),
    path("champions/", views.champions, name="champions"),
    path("champions/<int:champion_id>/", views.champion, name="champion"),
]
