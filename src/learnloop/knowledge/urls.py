from django.urls import path

from learnloop.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.search_page, name="search"),
]
