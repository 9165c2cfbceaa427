from django.urls import path

from learnloop.integrations import chat_views, oidc_views, saml_views, scim_token_views, views

app_name = "integrations"

urlpatterns = [
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:subscription_id>/", views.webhook, name="webhook"),
    path("webhooks/<int:subscription_id>/edit/", views.webhook_edit, name="webhook-edit"),
    path("webhooks/<int:subscription_id>/do/", views.webhook_action, name="webhook-action"),
    path("webhooks/deliveries/<int:delivery_id>/", views.delivery, name="delivery"),
    path("webhooks/replay/", views.replay, name="replay"),
    path("calendars/", views.calendar_feeds, name="calendars"),
    path("calendars/new/", views.calendar_issue, name="calendar-issue"),
    path("calendars/remove/", views.calendar_revoke, name="calendar-revoke"),
    path("calendars/feed/<str:token>.ics", views.feed, name="feed"),
    path("notifications/", views.notification_preferences, name="notifications"),
    path("chat/", chat_views.chat_channels, name="chat"),
    path("chat/do/", chat_views.chat_channel_action, name="chat-action"),
    path("provisioning/", scim_token_views.provisioning_tokens, name="scim-tokens"),
    path("provisioning/revoke/", scim_token_views.provisioning_token_revoke, name="scim-token-revoke"),
    path("oidc/login/", oidc_views.oidc_login, name="oidc-login"),
    path("oidc/callback/", oidc_views.oidc_callback, name="oidc-callback"),
    path("saml/metadata/", saml_views.saml_metadata, name="saml-metadata"),
    path("saml/login/", saml_views.saml_login, name="saml-login"),
    path("saml/acs/", saml_views.saml_acs, name="saml-acs"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
