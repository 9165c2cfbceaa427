from django.urls import path

from learnloop.org import attribute_views, profile_views, views

app_name = "org"

urlpatterns = [
    # Under accounts/ with the other pages about one's own account; the page is about the person.
    path("accounts/profile/", profile_views.profile, name="profile"),
    path("people/", views.people_list, name="people"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/export/", attribute_views.people_export, name="people-export"),
    path("people/<int:person_id>/attributes/", attribute_views.person_values, name="person-attributes"),
    path("attributes/", attribute_views.attribute_list, name="attributes"),
    path("attributes/<int:attribute_id>/", attribute_views.attribute_edit, name="attribute"),
    path("attributes/<int:attribute_id>/delete/", attribute_views.attribute_delete, name="attribute-delete"),
    path("people/<int:person_id>/", views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:person_id>/status/", views.person_status, name="person-status"),
    path("people/<int:person_id>/deactivate/", views.person_deactivate, name="person-deactivate"),
    path("people/<int:person_id>/hand-over/", views.person_hand_over, name="person-hand-over"),
    path("people/orphans/", views.orphans, name="orphans"),
    path("teams/", views.team_list, name="teams"),
    path("teams/new/", views.team_create, name="team-create"),
    path("teams/<slug:slug>/", views.team_detail, name="team"),
    path("teams/<slug:slug>/edit/", views.team_edit, name="team-edit"),
    path("teams/<slug:slug>/archive/", views.team_archive, name="team-archive"),
    path("memberships/<int:membership_id>/", views.membership_update, name="membership"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="accept-invitation"),
    path("import/", views.import_csv, name="import"),
]
