"""A hash of every row of every table, comparable across SQLite and PostgreSQL.

Values are normalized here, independently of the backup code under test: times to UTC ISO
strings, JSON to sorted keys, many-to-many links to sorted id lists. `python -m
tests.ops.rowhash` prints {label: [rows, sha256]} for the database in DATABASE_URL /
LEARNLOOP_DATA_DIR, so a subprocess can describe a database the test process isn't using.
"""

import datetime
import decimal
import hashlib
import json
import uuid

# Rows the backup and restore commands add about themselves after the snapshot was taken.
OPERATION_AUDIT_KINDS = {"backup", "restore"}


def canonical(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


def row_hashes() -> dict[str, dict[str, str]]:
    """{label: {pk: sha256 of the row}} for every data model."""
    from tests.ops.helpers import data_models

    result = {}
    for model in data_models():
        label = model._meta.label_lower
        rows = {}
        queryset = model._base_manager.order_by("pk")
        if label == "audit.auditevent":
            queryset = queryset.exclude(kind__in=OPERATION_AUDIT_KINDS)
        m2m_fields = model._meta.many_to_many
        if m2m_fields:
            queryset = queryset.prefetch_related(*(field.name for field in m2m_fields))
        for instance in queryset.iterator(chunk_size=2000) if not m2m_fields else queryset:
            row = {field.attname: canonical(field.value_from_object(instance)) for field in model._meta.concrete_fields}
            for field in m2m_fields:
                row[field.name] = sorted(related.pk for related in getattr(instance, field.name).all())
            encoded = json.dumps(row, sort_keys=True, default=str).encode()
            rows[str(instance.pk)] = hashlib.sha256(encoded).hexdigest()
        result[label] = rows
    return result


def table_hashes() -> dict[str, list]:
    """{label: [row count, sha256 over the rows' hashes in pk order]}."""
    result = {}
    for label, rows in row_hashes().items():
        listing = "".join(f"{pk}:{digest}\n" for pk, digest in rows.items())
        result[label] = [len(rows), hashlib.sha256(listing.encode()).hexdigest()]
    return result


def differences(expected: dict, actual: dict) -> list[str]:
    return [
        f"{label}: {expected.get(label)} != {actual.get(label)}"
        for label in sorted(set(expected) | set(actual))
        if expected.get(label) != actual.get(label)
    ]


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(table_hashes(), sort_keys=True))
