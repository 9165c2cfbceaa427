"""Turning ranked entry ids into the hits a page shows: entries loaded, title and snippet
highlighted (analytics.text.highlight escapes everything but <mark>)."""

import functools

from django.db import connection

from learnloop.analytics.text import highlight
from learnloop.knowledge.markdown import plain_text
from learnloop.knowledge.models import Entry
from learnloop.knowledge.search.base import SearchHit, SearchResults
from learnloop.knowledge.search.documents import Attributes, aware, ids_among, opening_of
from learnloop.org.models import Person, Team


def snippet(entry, terms: list[str]) -> str:
    """The first of the entry's texts with a match, highlighted (else the first text). Each
    text is scanned for its first match and only a window around it is cleaned of markdown and
    highlighted (analytics.text.highlight): a long entry costs a scan up to its first match more
    than a short one, not a pass over all its text."""
    first = None
    for text in (entry.body, entry.context, entry.decision, entry.options, entry.consequences):
        if not text:
            continue
        html = highlight(text, terms, clean=plain_text)
        if "<mark>" in html or not terms:
            return html
        first = first or html
    return first or ""


def hit(entry, score: float, terms: list[str]) -> SearchHit:
    return SearchHit(entry=entry, score=score, title_html=highlight(entry.title, terms, max_length=300),
                     snippet_html=snippet(entry, terms))


def load_entries(ids: list[int], *, tag_names: dict[int, list[str]] | None = None) -> dict[int, Entry]:
    """Entries with owner, author and tags loaded, by id (entries gone since are left out).

    A search has already read every windowed entry's tag names (documents.attributes_of):
    given as `tag_names`, they become the entries' `known_tag_names` instead of a third query
    and twenty model instances more per page (a third of the page's loading time), and the
    page is read with plain SQL (_page_entries)."""
    if tag_names is None:
        entries = Entry.objects.filter(pk__in=ids).select_related("owner_person", "owner_team", "author")
        return {entry.pk: entry for entry in entries.prefetch_related("tags")}
    loaded = _page_entries(ids)
    for entry_id, entry in loaded.items():
        entry.known_tag_names = sorted(tag_names.get(entry_id, ()))
    return loaded


class PageEntries:
    """The entries of one page of results, each loaded whole once.

    Proximity reads the first results' openings (ranking._with_proximity). When those results
    are on the page (the first page, 20 or more a page), `openings` loads them here and `page`
    takes them from here: one query less a search, and a long body read once instead of twice."""

    def __init__(self) -> None:
        self.loaded: dict[int, Entry] = {}

    def openings(self, entry_ids: list[int], attributes: dict[int, Attributes]) -> dict[int, str]:
        self.loaded.update(load_entries(entry_ids, tag_names=_tag_names(entry_ids, attributes)))
        return {entry_id: opening_of(self.loaded[entry_id]) for entry_id in entry_ids if entry_id in self.loaded}

    def page(self, entry_ids: list[int], attributes: dict[int, Attributes]) -> dict[int, Entry]:
        missing = [entry_id for entry_id in entry_ids if entry_id not in self.loaded]
        return {**self.loaded, **load_entries(missing, tag_names=_tag_names(missing, attributes))}


def _tag_names(entry_ids: list[int], attributes: dict[int, Attributes]) -> dict[int, list[str]]:
    return {entry_id: attributes[entry_id].tags for entry_id in entry_ids}


def _in_model_order(model, names: set[str]) -> tuple[str, ...]:
    # Model.from_db takes a subset of fields' values in the model's own field order.
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


# What a hit shows of its people and team (the page, the API's EntrySummary). Anything else
# read from them is loaded on access, correct but one query each.
PERSON_FIELDS = _in_model_order(Person, {"id", "full_name", "email"})
TEAM_FIELDS = _in_model_order(Team, {"id", "name", "slug"})


@functools.cache
def _page_query() -> tuple[str, list[str], list[int]]:
    """The page query without its WHERE, the entry fields it reads, and which are datetimes:
    the same for every search, so built once."""
    fields = list(Entry._meta.concrete_fields)
    columns = ", ".join(f'e."{field.column}"' for field in fields)
    people = ", ".join(f'{alias}."{name}"' for alias in ("a", "p") for name in PERSON_FIELDS)
    teams = ", ".join(f't."{name}"' for name in TEAM_FIELDS)
    person_table, team_table = Person._meta.db_table, Team._meta.db_table
    select = (
        f"SELECT {columns}, {people}, {teams} FROM {Entry._meta.db_table} e "  # noqa: S608 (our own names)
        f"JOIN {person_table} a ON a.id = e.author_id LEFT JOIN {person_table} p ON p.id = e.owner_person_id "
        f"LEFT JOIN {team_table} t ON t.id = e.owner_team_id"
    )
    names = [field.attname for field in fields]
    moments = [index for index, field in enumerate(fields) if field.get_internal_type() == "DateTimeField"]
    return select, names, moments


def _page_entries(ids: list[int]) -> dict[int, Entry]:
    """A page of entries with author and owner, in one plain query. The ORM's query for the
    same took 2.0–2.6 ms of a 10 ms search (compiling the SQL, converting values) for a page of
    20 at 100,000 entries on SQLite; this takes about 1 ms. Entries get every field, author
    and owner the fields above."""
    if not ids:
        return {}
    select, names, moments = _page_query()
    among, values = ids_among("e.id", ids)
    with connection.cursor() as cursor:
        cursor.execute(f"{select} WHERE {among}", values)
        rows = cursor.fetchall()
    width, person_width = len(names), len(PERSON_FIELDS)
    loaded = {}
    for row in rows:
        values = list(row[:width])
        for index in moments:
            values[index] = aware(values[index])
        entry = Entry.from_db(connection.alias, names, values)
        author = row[width:width + person_width]
        owner = row[width + person_width:width + 2 * person_width]
        team = row[width + 2 * person_width:]
        Entry.author.field.set_cached_value(entry, Person.from_db(connection.alias, PERSON_FIELDS, author))
        Entry.owner_person.field.set_cached_value(
            entry, Person.from_db(connection.alias, PERSON_FIELDS, owner) if any(owner) else None
        )
        Entry.owner_team.field.set_cached_value(
            entry, Team.from_db(connection.alias, TEAM_FIELDS, team) if any(team) else None
        )
        loaded[entry.pk] = entry
    return loaded


def no_results(query: str, terms, page: int, per_page: int, mode: str) -> SearchResults:
    return SearchResults(query=query, terms=list(terms), hits=[], total=0, page=page, per_page=per_page, mode=mode)
