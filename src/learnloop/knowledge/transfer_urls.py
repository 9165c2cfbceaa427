"""Markdown import and export pages, and the learning-practice library, included under /knowledge/transfer/."""

from django.urls import path

from learnloop.knowledge import practice_views, transfer_views

urlpatterns = [
    path("", transfer_views.transfer_page, name="transfer"),
    path("export/", transfer_views.transfer_export, name="transfer-export"),
    path("practices/", practice_views.practice_library_page, name="practices"),
]
