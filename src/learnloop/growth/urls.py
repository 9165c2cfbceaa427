from django.urls import include, path

from learnloop.growth import views

app_name = "growth"

urlpatterns = [
    path("", views.home, name="home"),
    path("people/", views.people, name="people"),
    path("people/<int:person_id>/", views.profile, name="profile"),
    path("people/<int:person_id>/rate", views.rate, name="rate"),
    path("suggestions", views.answer_suggestion, name="answer_suggestion"),
    path("sharing", views.sharing, name="sharing"),
    path("framework/", views.framework, name="framework"),
    path("framework/export.<str:fmt>", views.export, name="export"),
    path("framework/import", views.import_framework, name="import"),
    path("framework/starter", views.load_starter, name="starter"),
    path("framework/categories", views.create_category, name="create_category"),
    path("framework/skills", views.create_skill, name="create_skill"),
    path("skills/<int:skill_id>/", views.skill, name="skill"),
    path("skills/<int:skill_id>/<str:op>", views.skill_change, name="skill_change"),
    path("coverage/", views.coverage, name="coverage"),
    path("teams/<int:team_id>/", views.team, name="team"),
    path("teams/<int:team_id>/needs", views.set_need, name="set_need"),
    path("plans/", views.plans, name="plans"),
    path("plans/new", views.create_plan, name="create_plan"),
    path("plans/<int:plan_id>/", views.plan, name="plan"),
    path("plans/<int:plan_id>/<str:op>", views.plan_change, name="plan_change"),
    path("activities/<int:activity_id>/complete", views.complete_activity, name="complete_activity"),
    path("paths/", views.paths, name="paths"),
    path("paths/new", views.create_path, name="create_path"),
    path("paths/<int:path_id>/", views.path, name="path"),
    path("paths/<int:path_id>/steps", views.add_step, name="add_step"),
    path("steps/<int:step_id>/complete", views.complete_step, name="complete_step"),
    path("mentoring/", views.pairs, name="pairs"),
    path("mentoring/new", views.start_pair, name="start_pair"),
    path("mentoring/<int:pair_id>/", views.pair, name="pair"),
    path("mentoring/<int:pair_id>/notes", views.add_note, name="add_note"),
    path("workshops/", include("learnloop.growth.workshop_urls")),
]
