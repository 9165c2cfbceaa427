from django.urls import path

from learnloop.ops import views

app_name = "ops"

urlpatterns = [
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/retry/", views.retry, name="retry"),
]
