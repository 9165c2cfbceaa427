"""Existing "applied here" rows whose context_type is not a linkable type become plain text.

Before issue 14 any string was accepted as a place's type. A place is now either a typed
reference to an object of the link registry (validated on write) or free text; rows naming an
unknown type keep what they said, folded into the text ("<type> <id>"), so nothing is lost and
no row points nowhere. The list below is the registry as it was when this migration was written
(a migration must not depend on code that changes later). Provenance rows are left as they are:
a source of an unregistered type ("import", the practice library) is shown as its stored label,
in plain text.
"""

from django.db import migrations

LINKABLE_AT_THE_TIME = {
    "reflection.session", "reflection.card", "actions.action", "actions.check", "experiments.experiment",
    "experiments.decision", "surveys.focus_area", "knowledge.entry",
}


def fold_unknown_places(apps, schema_editor):
    Application = apps.get_model("knowledge", "Application")
    rows = Application.objects.exclude(context_type="").exclude(context_type__in=LINKABLE_AT_THE_TIME)
    for application in rows.iterator():
        named = " ".join(part for part in (application.context_type, application.context_id) if part)
        text = " — ".join(part for part in (application.context, named) if part)
        application.context = text[:300]
        application.context_type = ""
        application.context_id = ""
        application.save(update_fields=["context", "context_type", "context_id"])
    # A typed place without an id named nothing: keep it as text too.
    for application in Application.objects.exclude(context_type="").filter(context_id="").iterator():
        application.context = (application.context or application.context_type)[:300]
        application.context_type = ""
        application.save(update_fields=["context", "context_type"])


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0004_outcomes_and_typed_places")]

    operations = [migrations.RunPython(fold_unknown_places, migrations.RunPython.noop)]
