from django.urls import path

from learnloop.integrations import scim_views

app_name = "scim"

urlpatterns = [
    path("Users", scim_views.users, name="users"),
    path("Users/<str:person_id>", scim_views.user, name="user"),
    path("Groups", scim_views.groups, name="groups"),
    path("Groups/<str:team_id>", scim_views.group, name="group"),
    path("ServiceProviderConfig", scim_views.service_provider_config, name="config"),
    path("ResourceTypes", scim_views.resource_types, name="resource-types"),
]
