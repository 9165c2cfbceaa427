"""Workshop pages, included under /growth/workshops/ in growth's namespace."""

from django.urls import path

from learnloop.growth import workshop_views as views

urlpatterns = [
    path("", views.workshops, name="workshops"),
    path("new", views.create_workshop, name="create_workshop"),
    path("<int:workshop_id>/", views.workshop, name="workshop"),
    path("<int:workshop_id>/edit", views.edit_workshop, name="edit_workshop"),
    path("<int:workshop_id>/host", views.host, name="workshop_host"),
    path("<int:workshop_id>/attendance", views.record_attendance, name="workshop_attendance"),
    path("<int:workshop_id>/feedback", views.give_feedback, name="workshop_feedback"),
    path("<int:workshop_id>/<str:op>", views.workshop_change, name="workshop_change"),
]
