"""`learnloop export FILE`: every row of every model as readable JSON, secrets left out.

Unlike a backup (made to be restored), an export is made to be read by people and other
tools: rows are grouped by model, and password hashes, token hashes and sessions are omitted.
"""

import json
from pathlib import Path

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from learnloop import __version__
from learnloop.ops.progress import Progress
from learnloop.ops.snapshot import read_snapshot

FORMAT = "learnloop-export"
OMITTED_MODELS = {
    "sessions.session", "contenttypes.contenttype", "auth.permission", "auth.group",
    # Individual survey answers are never shown to anyone, admins included: an export holds only
    # what the surveys' disclosure gate releases, which is read through the reports, not here.
    "surveys.response", "surveys.comment",
    # Sign-in limit counters: short-lived operational state (keyed HMACs of emails and addresses).
    "accounts.logincounter",
}
# Fields that would let a reader sign in, use an API token or answer a survey as someone else.
OMITTED_FIELDS = {
    "org.person": {"password"},
    "accounts.apitoken": {"token_hash"},
    "org.invitation": {"token_hash"},
    "surveys.invitation": {"token_hash"},
    "accounts.totpdevice": {"secret"},
    "accounts.recoverycode": {"code_hash"},
    # Would let a reader sign webhooks as this instance, or find a calendar feed's address.
    "integrations.webhooksubscription": {"secret"},
    "integrations.calendarfeed": {"token_hash"},
}


def exported_models():
    return [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in OMITTED_MODELS and model._meta.managed and not model._meta.proxy
    ]


def _row(instance, fields) -> dict:
    row = {}
    for field in fields:
        row[field.attname] = field.value_from_object(instance)
    return row


def export_all(path: Path, *, progress_stream=None) -> dict[str, int]:
    path = Path(path)
    counts: dict[str, int] = {}
    temporary = path.with_name(path.name + ".partial")
    try:
        progress = _write_export(temporary, counts, progress_stream)
    except BaseException:
        # No half-written file is left behind to be mistaken for a complete export.
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    progress.finish(f"{sum(counts.values())} rows exported to {path}")
    return counts


def _write_export(temporary: Path, counts: dict[str, int], progress_stream) -> Progress:
    with read_snapshot():
        models = exported_models()
        progress = Progress("export", total=sum(m._base_manager.count() for m in models), stream=progress_stream)
        with temporary.open("w", encoding="utf-8") as out:
            out.write("{\n")
            header = {"format": FORMAT, "learnloop_version": __version__, "exported_at": timezone.now()}
            for key, value in header.items():
                out.write(f"  {json.dumps(key)}: {json.dumps(value, cls=DjangoJSONEncoder)},\n")
            out.write('  "models": {')
            for index, model in enumerate(models):
                label = model._meta.label_lower
                omitted = OMITTED_FIELDS.get(label, set())
                fields = [f for f in model._meta.concrete_fields if f.name not in omitted]
                out.write(("," if index else "") + f"\n    {json.dumps(label)}: [")
                count = 0
                for instance in model._base_manager.order_by("pk").iterator(chunk_size=2000):
                    row = json.dumps(_row(instance, fields), cls=DjangoJSONEncoder)
                    out.write(("," if count else "") + "\n      " + row)
                    count += 1
                    if count % 500 == 0:
                        progress.step(500, label)
                progress.step(count % 500, label)
                out.write("\n    ]" if count else "]")
                counts[label] = count
            out.write("\n  }\n}\n")
    return progress
