"""Systems thinking pages: causal loop diagrams, stock-and-flow models (stockflow_urls)."""
from django.urls import path  # noqa: F401

from learnloop.systems.stockflow_urls import urlpatterns as stockflow_urlpatterns

app_name = "systems"

urlpatterns: list = [*stockflow_urlpatterns]
