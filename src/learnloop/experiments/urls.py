from django.urls import path

from learnloop.experiments import views

app_name = "experiments"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("export/", views.portfolio_export, name="export"),
    path("new/", views.register, name="register"),
    path("related/", views.related_panel, name="related"),
    path("<int:experiment_id>/", views.detail, name="detail"),
    path("<int:experiment_id>/results/", views.results, name="results"),
    path("<int:experiment_id>/start/", views.start, name="start"),
    path("<int:experiment_id>/end/", views.end, name="end"),
    path("<int:experiment_id>/protocol/", views.protocol, name="protocol"),
    path("<int:experiment_id>/metrics/", views.add_metric, name="add-metric"),
    path("<int:experiment_id>/snapshots/", views.snapshot, name="snapshot"),
    path("<int:experiment_id>/periods/", views.period_figures, name="periods"),
    path("<int:experiment_id>/power/", views.power, name="power"),
    path("<int:experiment_id>/decision/", views.decide, name="decide"),
    path("<int:experiment_id>/lessons/", views.lesson, name="lesson"),
    path("<int:experiment_id>/follow-ups/", views.follow_up, name="follow-up"),
]
