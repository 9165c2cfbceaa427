"""Stock-and-flow pages under /systems/models/ (included from urls.py)."""

from django.urls import path

from learnloop.systems import stockflow_edit_views
from learnloop.systems import stockflow_views as views

urlpatterns = [
    path("models/", views.model_list, name="stockflow_list"),
    path("models/upload/", views.upload, name="stockflow_upload"),
    path("models/<int:model_id>/", views.detail, name="stockflow_detail"),
    path("models/<int:model_id>/run.csv", views.run_csv, name="stockflow_run_csv"),
    path("models/<int:model_id>/delete/", views.delete_model, name="stockflow_delete"),
    path("models/<int:model_id>/edit/", stockflow_edit_views.edit, name="stockflow_edit"),
    path("models/<int:model_id>/scenarios/", views.save_scenario, name="stockflow_save_scenario"),
    path("models/<int:model_id>/scenarios/<int:scenario_id>/delete/", views.delete_scenario,
         name="stockflow_delete_scenario"),
    path("models/<int:model_id>/state/", views.model_state, name="stockflow_state"),
    path("models/<int:model_id>/scenarios/<int:scenario_id>/intervene/", views.intervene,
         name="stockflow_intervene"),
    path("models/<int:model_id>/compare/", views.compare, name="stockflow_compare"),
    path("models/<int:model_id>/compare.csv", views.compare_csv, name="stockflow_compare_csv"),
    path("models/<int:model_id>/sensitivity/", views.start_sensitivity, name="stockflow_start_sensitivity"),
    path("models/<int:model_id>/sensitivity/<uuid:run_id>/", views.sensitivity, name="stockflow_sensitivity"),
    path("models/<int:model_id>/sensitivity/<uuid:run_id>/state/", views.sensitivity_state,
         name="stockflow_sensitivity_state"),
    path("models/<int:model_id>/sensitivity/<uuid:run_id>/cancel/", views.cancel_sensitivity,
         name="stockflow_cancel_sensitivity"),
]
