"""Systems thinking through the API (router at /systems), the same services as the pages."""

from ninja import Router

router = Router(tags=["systems"])
