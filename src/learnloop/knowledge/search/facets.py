"""Facet counts (kind, state, team, tag, author) over a result set, with their labels.

A facet is a menu, not a report: the most frequent values are listed, and whatever is chosen."""

from django.db import connection
from django.db.models import Count

from learnloop.analytics.ranking import STATES
from learnloop.knowledge.models import Entry, EntryKind, Freshness
from learnloop.knowledge.search.base import FacetCount, SearchFilters
from learnloop.knowledge.selectors import freshness_q
from learnloop.org.models import Person, Team

FACET_VALUES = 20
FACETS = ("kind", "state", "team", "tag", "author")


def _labels(kind: str, values, known: dict[str, str]) -> dict[str, str]:
    values = list(values)
    if kind == "kind":
        return {value: str(EntryKind(value).label) if value in EntryKind.values else value for value in values}
    if kind == "state":
        return {value: str(Freshness(value).label) if value in Freshness.values else value for value in values}
    if kind not in {"team", "author"}:
        return {value: value for value in values}
    labels = {value: known[value] for value in values if value in known}
    missing = [int(value) for value in values if value not in labels]
    if missing:
        model, name = (Team, "name") if kind == "team" else (Person, "full_name")
        labels.update((str(pk), label) for pk, label in model.objects.filter(pk__in=missing).values_list("pk", name))
    return labels


def _facet_list(kind: str, counts: dict[str, int], selected, known, *, order=None) -> list[FacetCount]:
    selected = [str(value) for value in selected]
    frequent = sorted(counts, key=lambda value: (-counts[value], value))[:FACET_VALUES]
    values = list(dict.fromkeys([*frequent, *selected]))
    labels = _labels(kind, values, known)
    facets = [
        FacetCount(value=value, label=labels.get(value, value), count=counts.get(value, 0), selected=value in selected)
        for value in values
        if value in labels or value in counts
    ]
    if order:
        facets.sort(key=lambda facet: order.index(facet.value) if facet.value in order else len(order))
    else:
        facets.sort(key=lambda facet: (-facet.count, facet.label.lower()))
    return facets


def facet_lists(counts: dict[str, dict[str, int]], filters: SearchFilters, labels=None) -> dict[str, list[FacetCount]]:
    """The facets shown beside the results, from counts and the names already known."""
    labels = labels or {}
    return {
        "kind": _facet_list("kind", counts["kind"], filters.kinds, {}),
        # Every state is listed, 0 or not: the four states are a fixed scale readers know.
        "state": _facet_list("state", {state: counts["state"].get(state, 0) for state in STATES}, filters.states,
                             {}, order=list(STATES)),
        "team": _facet_list("team", counts["team"], filters.team_ids, labels.get("team", {})),
        "tag": _facet_list("tag", counts["tag"], filters.tags, {}),
        "author": _facet_list("author", counts["author"], filters.author_ids, labels.get("author", {})),
    }


def count_attributes(attributes) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]]]:
    """Facet counts over a result set's attributes, and the team and author names they carry."""
    counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    labels: dict[str, dict[str, str]] = {"team": {}, "author": {}}

    def add(kind, value):
        counts[kind][value] = counts[kind].get(value, 0) + 1

    for item in attributes:
        add("kind", item.kind)
        add("state", item.known_state)
        add("author", str(item.author_id))
        labels["author"][str(item.author_id)] = item.author_name or ""
        for team_id in item.team_ids:
            add("team", str(team_id))
            labels["team"][str(team_id)] = item.team_names.get(team_id, "")
        for tag in item.tags:
            add("tag", tag)
    return counts, labels


def count_browsed(entries, now) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, str]]]:
    """Facet counts over every entry being browsed, aggregated by the database."""
    entries = entries.order_by()
    counts: dict[str, dict[str, int]] = {}
    labels: dict[str, dict[str, str]] = {"team": {}, "author": {}}
    counts["kind"] = dict(entries.values_list("kind").annotate(n=Count("pk")))
    counts["state"] = entries.aggregate(**{state: Count("pk", filter=freshness_q(state, now)) for state in STATES})
    counts["author"] = {}
    for author_id, name, count in entries.values_list("author_id", "author__full_name").annotate(n=Count("pk")):
        counts["author"][str(author_id)] = count
        labels["author"][str(author_id)] = name
    ids = entries.values("pk")
    counts["tag"] = dict(
        Entry.tags.through.objects.filter(entry_id__in=ids).order_by().values_list("tag__name").annotate(n=Count("pk"))
    )
    # An entry belongs to its teams and to its owning team; count each (entry, team) once.
    ids_sql, ids_params = ids.query.sql_with_params()
    links, table, teams = Entry.teams.through._meta.db_table, Entry._meta.db_table, Team._meta.db_table
    counts["team"] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT x.team_id, t.name, count(*) FROM (SELECT entry_id, team_id FROM {links} "  # noqa: S608
            f"WHERE entry_id IN ({ids_sql}) UNION SELECT id, owner_team_id FROM {table} "
            f"WHERE owner_team_id IS NOT NULL AND id IN ({ids_sql})) x JOIN {teams} t ON t.id = x.team_id "
            "GROUP BY x.team_id, t.name",
            [*ids_params, *ids_params],
        )
        for team_id, name, count in cursor.fetchall():
            counts["team"][str(team_id)] = count
            labels["team"][str(team_id)] = name
    return counts, labels
