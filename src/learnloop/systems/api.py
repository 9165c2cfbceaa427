"""Systems thinking through the API (router at /systems), the same services as the pages."""

from ninja import Router

router = Router(tags=["systems"])

from learnloop.systems.diagram_api import router as diagram_router  # noqa: E402

router.add_router("", diagram_router)
