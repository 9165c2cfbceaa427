from datetime import timedelta

from django.utils import timezone

from learnloop.knowledge import search, services
from learnloop.knowledge.search import SearchFilters


def write(by, title, body="", *, kind="lesson", **fields):
    if kind in {"lesson", "playbook"} and not body:
        body = title
    if kind == "decision":
        fields.setdefault("decision", body or title)
        body = ""
    return services.create_entry(by=by, kind=kind, title=title, body=body, **fields)


def aged(by, title, body="", *, days_overdue: int, **fields):
    """An entry whose review was due `days_overdue` days ago (30+ is stale)."""
    interval = 30
    created = timezone.now() - timedelta(days=interval + days_overdue)
    return write(by, title, body, created_at=created, review_interval_days=interval, **fields)


def find(viewer, query, **options):
    filters = options.pop("filters", SearchFilters())
    return search.search_entries(viewer=viewer, query=query, filters=filters, **options)


def titles(results):
    return [hit.entry.title for hit in results.hits]


def ids(results):
    return [hit.entry.pk for hit in results.hits]


def facet(results, name):
    return {item.value: item.count for item in results.facets[name]}
