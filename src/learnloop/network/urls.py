from django.urls import path

from learnloop.network import views

app_name = "network"

urlpatterns = [
    path("", views.report, name="report"),
    path("me/", views.me, name="me"),
]
