"""Systems thinking through the API (router at /systems), the same services as the pages."""

from ninja import Router

from learnloop.systems.diagram_api import router as diagram_router
from learnloop.systems.stockflow_api import router as stockflow_router

router = Router(tags=["systems"])
router.add_router("", diagram_router)
router.add_router("", stockflow_router)
