from django.urls import path

from learnloop.insights import themes_views

urlpatterns = [
    path("themes/", themes_views.theme_list, name="themes"),
    path("themes/corrections/", themes_views.theme_corrections, name="theme-corrections"),
    path("themes/corrections/<int:correction_id>/undo/", themes_views.theme_correction_undo,
         name="theme-correction-undo"),
    path("themes/<int:theme_id>/", themes_views.theme_detail, name="theme"),
    path("themes/<int:theme_id>/rename/", themes_views.theme_rename, name="theme-rename"),
    path("themes/<int:theme_id>/merge/", themes_views.theme_merge, name="theme-merge"),
    path("themes/<int:theme_id>/split/", themes_views.theme_split, name="theme-split"),
]
