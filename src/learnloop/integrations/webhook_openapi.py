"""The outgoing webhooks in the OpenAPI document: its `webhooks` section (OpenAPI 3.1), one POST
per event type, whose body is the event's payload schema (the same Webhook…Payload schemas the
delivery log's `payload` is typed with) and whose headers are the Standard Webhooks ones."""

from learnloop.integrations.events import EVENT_TYPES

# The payload schema of each event type, by the name it has in the document's components.
PAYLOAD_SCHEMAS = {
    "action.created": "WebhookActionPayload",
    "action.overdue": "WebhookActionPayload",
    "action.closed": "WebhookActionPayload",
    "effectiveness.recorded": "WebhookEffectivenessPayload",
    "lesson.published": "WebhookLessonPayload",
    "session.closed": "WebhookSessionPayload",
    "experiment.decided": "WebhookExperimentPayload",
    "survey.report_released": "WebhookSurveyPayload",
    "theme.recurred": "WebhookThemePayload",
    "ping": "WebhookPingPayload",
}

_HEADERS = (
    ("webhook-id", "The message ID (`msg_…`); the same on every retry and replay of it, so a receiver "
                   "can drop what it has seen."),
    ("webhook-timestamp", "When this attempt was sent, in Unix seconds; refuse it when far from your clock."),
    ("webhook-signature", "`v1,` + base64 of HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, "
                          "keyed with the subscription's secret (`whsec_…`), per Standard Webhooks."),
)


def webhooks_section() -> dict:
    section = {}
    for name, schema in PAYLOAD_SCHEMAS.items():
        description = EVENT_TYPES[name].description if name in EVENT_TYPES else (
            "Sent by *Send a test event* (POST /webhooks/{id}/test).")
        section[name] = {"post": {
            "summary": name,
            "description": description + " Signed per the Standard Webhooks specification; see docs/integrations.md.",
            "operationId": "webhook_" + name.replace(".", "_"),
            "tags": ["webhooks"],
            "parameters": [{"name": header, "in": "header", "required": True, "description": text,
                            "schema": {"type": "string"}} for header, text in _HEADERS],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}},
            }},
            "responses": {"2XX": {"description": "Delivered. Any other answer, or none within the timeout, "
                                                 "is retried with exponential backoff."}},
        }}
    return section
