from django.urls import include, path

from learnloop.api_loading import loading_the_api

with loading_the_api():  # the API's models build on first use; see api_loading.py
    from learnloop.api import api

urlpatterns = [
    path("", include("learnloop.web.urls")),
    path("accounts/", include("learnloop.accounts.urls")),
    path("", include("learnloop.org.urls")),
    path("audit/", include("learnloop.audit.urls")),
    path("ops/", include("learnloop.ops.urls")),
    path("knowledge/", include("learnloop.knowledge.urls")),
    path("actions/", include("learnloop.actions.urls")),
    path("sessions/", include("learnloop.reflection.urls")),
    path("experiments/", include("learnloop.experiments.urls")),
    path("surveys/", include("learnloop.surveys.urls")),
    path("growth/", include("learnloop.growth.urls")),
    path("insights/", include("learnloop.insights.urls")),
    path("network/", include("learnloop.network.urls")),
    path("strategy/", include("learnloop.strategy.urls")),
    path("systems/", include("learnloop.systems.urls")),
    path("integrations/", include("learnloop.integrations.urls")),
    path("scim/v2/", include("learnloop.integrations.scim_urls")),
    path("api/v1/", api.urls),
]
