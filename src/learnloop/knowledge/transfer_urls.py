"""Markdown import and export pages, included under /knowledge/transfer/ (names: knowledge:transfer…)."""

from django.urls import path

from learnloop.knowledge import transfer_views

urlpatterns = [
    path("", transfer_views.transfer_page, name="transfer"),
    path("export/", transfer_views.transfer_export, name="transfer-export"),
]
