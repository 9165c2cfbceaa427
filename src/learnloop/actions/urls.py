from django.urls import path

from learnloop.actions import views

app_name = "actions"

urlpatterns = [
    path("", views.my_actions, name="mine"),
    path("new/", views.action_create, name="create"),
    path("export/", views.action_export, name="export"),
    path("similar/", views.similar, name="similar"),
    path("repeats/", views.organization_repeats, name="repeats"),
    path("team/<int:team_id>/repeats/", views.team_repeats, name="team-repeats"),
    path("team/<int:team_id>/", views.team_board, name="team"),
    path("<int:action_id>/", views.action_detail, name="detail"),
    path("<int:action_id>/edit/", views.action_edit, name="edit"),
    path("<int:action_id>/start/", views.action_start, name="start"),
    path("<int:action_id>/complete/", views.action_complete, name="complete"),
    path("<int:action_id>/check/", views.action_check, name="check"),
    path("<int:action_id>/evidence/<int:proposal_id>/accept/", views.action_accept_evidence, name="accept_evidence"),
    path("<int:action_id>/decline/", views.action_decline, name="decline"),
    path("<int:action_id>/reopen/", views.action_reopen, name="reopen"),
    path("<int:action_id>/comments/", views.action_comment, name="comment"),
]
