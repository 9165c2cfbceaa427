"""Systems thinking pages: causal loop diagrams, stock-and-flow models (stockflow_urls)."""
from django.urls import path

from learnloop.systems import diagram_views
from learnloop.systems.stockflow_urls import urlpatterns as stockflow_urlpatterns

app_name = "systems"

urlpatterns: list = [
    path("diagrams/", diagram_views.diagrams, name="diagrams"),
    path("diagrams/<int:diagram_id>/", diagram_views.diagram, name="diagram"),
    path("diagrams/<int:diagram_id>/save/", diagram_views.save, name="diagram_save"),
    path("diagrams/<int:diagram_id>/change/<slug:what>/", diagram_views.change, name="diagram_change"),
    path("diagrams/<int:diagram_id>/remove/", diagram_views.remove, name="diagram_remove"),
    path("diagrams/<int:diagram_id>/attachments/<int:attachment_id>/detach/", diagram_views.detach,
         name="diagram_detach"),
    path("diagrams/<int:diagram_id>/intervene/", diagram_views.intervene, name="diagram_intervene"),
    path("diagrams/<int:diagram_id>/versions/<int:number>/", diagram_views.version, name="diagram_version"),
    path("diagrams/<int:diagram_id>/versions/<int:number>/restore/", diagram_views.restore,
         name="diagram_restore"),
    *stockflow_urlpatterns,
]
