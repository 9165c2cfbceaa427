from django.urls import path

from learnloop.experiments import views, warehouse_views

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
    path("library/", warehouse_views.library_page, name="library"),
    path("library/new/", warehouse_views.library_define, name="library-define"),
    path("library/<int:library_id>/versions/", warehouse_views.library_revise, name="library-revise"),
    path("<int:experiment_id>/warehouse/", warehouse_views.page, name="warehouse"),
    path("<int:experiment_id>/warehouse/library/", warehouse_views.use_library, name="warehouse-use-library"),
    path("<int:experiment_id>/warehouse/source/", warehouse_views.save_source, name="warehouse-source"),
    path("<int:experiment_id>/warehouse/metric/", warehouse_views.save_metric, name="warehouse-metric"),
    path("<int:experiment_id>/warehouse/refreshes/", warehouse_views.refreshes, name="warehouse-refreshes"),
    path("<int:experiment_id>/warehouse/refresh/", warehouse_views.refresh_now, name="warehouse-refresh"),
    path("<int:experiment_id>/warehouse/refreshes/<int:refresh_id>/cancel/", warehouse_views.cancel,
         name="warehouse-cancel"),
]
