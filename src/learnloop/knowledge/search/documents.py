"""What the search index knows about an entry, read from the database in batches.

Both backends index the same document: the analyzed terms of everything a reader would search
an entry by (title, body, the decision record's fields, the answers of a question, the tags),
and the attributes that filters, visibility and ranking need. `attributes_of` reads the same
attributes for a window of hits, so the service ranks and counts with the database's current
values (and re-checks visibility) whatever the index holds.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection

from learnloop.analytics import proximity
from learnloop.analytics.ranking import FIELD_WEIGHTS, freshness_state
from learnloop.analytics.text import weighted_terms
from learnloop.knowledge.models import (
    SEARCH_ATTRIBUTES_INDEX,
    STALE_AFTER_DUE,
    Answer,
    Entry,
    EntryKind,
    Tag,
    Visibility,
)
from learnloop.org.models import Person, Team

TEXT_FIELDS = ("title", "body", "context", "options", "decision", "consequences")
ATTRIBUTE_FIELDS = (
    "id", "kind", "visibility", "author_id", "owner_person_id", "owner_team_id", "review_due_at",
    "obsolete_at", "application_count", "updated_at",
)
ROW_FIELDS = (*ATTRIBUTE_FIELDS, *TEXT_FIELDS)  # what a document is made of, in this order

# What an index's terms mean. Raise it with every change to what is indexed (the analyzer in
# analytics/text.py, FIELD_WEIGHTS, document lengths): an index written under another number
# ranks and matches differently, so both backends rebuild theirs — the embedded one keeps each
# format in a directory of its own, the PostgreSQL one stamps knowledge_search_stats and is
# rebuilt by `learnloop migrate` (signals.rebuild_outdated_search_index).
# 2: title terms weighted (FIELD_WEIGHTS); 3: dotted abbreviations joined ("U.S.A." → "usa").
INDEX_FORMAT = 3


@dataclass(slots=True)
class Attributes:
    entry_id: int
    kind: str
    visibility: str
    author_id: int
    owner_person_id: int | None
    owner_team_id: int | None
    application_count: int
    review_due_at: datetime | None = None
    obsolete_at: datetime | None = None
    updated_at: datetime | None = None
    team_ids: set[int] = field(default_factory=set)  # its teams and its owning team
    tags: list[str] = field(default_factory=list)
    known_state: str | None = None  # computed by the database for `now` (attributes_of)
    author_name: str | None = None
    team_names: dict[int, str] = field(default_factory=dict)

    def state(self, now: datetime) -> str:
        if self.known_state is not None:
            return self.known_state
        return freshness_state(
            review_due_at=self.review_due_at, obsolete_at=self.obsolete_at, now=now,
            stale_after_due=STALE_AFTER_DUE,
        )

    def visible_to(self, viewer_id: int, viewer_team_ids) -> bool:
        """The rule of knowledge/permissions.py `visible_q`, on loaded values."""
        return (
            self.visibility == Visibility.EVERYONE
            or viewer_id in (self.author_id, self.owner_person_id)
            or bool(self.team_ids & set(viewer_team_ids))
        )

    def in_scope(self, scope) -> bool:
        filters = scope.filters
        return (
            self.entry_id not in scope.exclude_ids
            and self.visible_to(scope.viewer_id, scope.team_ids)
            and (not filters.kinds or self.kind in filters.kinds)
            and (not filters.team_ids or bool(self.team_ids & set(filters.team_ids)))
            and (not filters.tags or bool(set(self.tags) & set(filters.tags)))
            and (not filters.states or self.state(scope.now) in filters.states)
            and (not filters.author_ids or self.author_id in filters.author_ids)
        )


@dataclass
class Document:
    attributes: Attributes
    title: str = ""
    rest: str = ""  # the text after its title: its other fields, answers and tags

    @property
    def entry_id(self) -> int:
        return self.attributes.entry_id

    @property
    def text(self) -> str:
        """Everything a reader searches by, title first and tags last."""
        return f"{self.title}\n{self.rest}" if self.title and self.rest else self.title or self.rest

    @property
    def tags_text(self) -> str:
        return "\n".join(self.attributes.tags)

    @property
    def terms(self) -> list[str]:
        """The indexed terms: the whole text's, with the title's and the tags' repeated so they
        count FIELD_WEIGHTS times (BM25F with integer weights, see analytics/ranking.py)."""
        return weighted_terms(self.title, self.rest, self.tags_text, FIELD_WEIGHTS)


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def ids_among(column: str, chunk: list[int]) -> tuple[str, list]:
    """`column` is one of the ids in `chunk`, as SQL and its parameters."""
    if connection.vendor == "postgresql":  # one array parameter instead of hundreds
        return f"{column} = ANY(%s::bigint[])", [chunk]
    return f"{column} IN ({', '.join(['%s'] * len(chunk))})", chunk


def _links(cursor, chunk: list[int]) -> tuple[list[tuple[int, int, str]], list[tuple[int, str]]]:
    """The (entry id, team id, team name) and (entry id, tag name) links of these entries,
    tags in name order.

    CROSS JOIN: SQLite then reads the links first (by entry id) and looks each name up, instead
    of scanning every tag or team and probing the links for each (31 ms for 200 entries and 300
    tags, against 0.5 ms; a rebuild's batches of 2,000 spent half their reading time there).
    PostgreSQL plans it as the inner join it is."""
    team_links, tag_links = Entry.teams.through._meta.db_table, Entry.tags.through._meta.db_table
    link_among, values = ids_among("l.entry_id", chunk)
    cursor.execute(
        f"SELECT l.entry_id, l.team_id, t.name FROM {team_links} l CROSS JOIN {Team._meta.db_table} t "  # noqa: S608
        f"WHERE t.id = l.team_id AND {link_among}",
        values,
    )
    teams = cursor.fetchall()
    cursor.execute(
        f"SELECT l.entry_id, t.name FROM {tag_links} l CROSS JOIN {Tag._meta.db_table} t "  # noqa: S608
        f"WHERE t.id = l.tag_id AND {link_among}",
        values,
    )
    return teams, sorted(cursor.fetchall(), key=lambda row: row[1])


def _attributes(rows: list[tuple]) -> dict[int, Attributes]:
    """The attributes of `_rows`' rows (tuples in ROW_FIELDS order), with their teams and tags."""
    attributes = {}
    for pk, kind, visibility, author_id, owner_person_id, owner_team_id, due, obsolete, applications, updated, \
            *_texts in rows:
        attributes[pk] = Attributes(
            entry_id=pk, kind=kind, visibility=visibility, author_id=author_id, owner_person_id=owner_person_id,
            owner_team_id=owner_team_id, review_due_at=aware(due), obsolete_at=aware(obsolete),
            application_count=applications, updated_at=aware(updated),
            team_ids={owner_team_id} if owner_team_id else set(),
        )
    with connection.cursor() as cursor:
        for chunk in _chunks(list(attributes), 500):
            teams, tags = _links(cursor, chunk)
            for entry_id, team_id, _name in teams:
                attributes[entry_id].team_ids.add(team_id)
            for entry_id, name in tags:
                attributes[entry_id].tags.append(name)
    return attributes


def attributes_of(entry_ids: Iterable[int], now: datetime) -> dict[int, Attributes]:
    """The current attributes of these entries, with their freshness state at `now`, the names
    of their author and teams, and their tags (missing entries are left out). Plain SQL:
    this runs for every search, on up to 200 entries.

    On SQLite the entries are read from the covering index SEARCH_ATTRIBUTES_INDEX (see
    Entry.Meta), named here because the planner prefers the rows for a few dozen ids, and each
    row read walks the entry's long texts; CROSS JOIN, as in _links, makes it read the entries
    by id and look each author up, instead of scanning every person and probing the entries by
    author. 200 entries of 50 KB among 300 people: 5.6 ms before, 0.5 after."""
    ids = [int(entry_id) for entry_id in dict.fromkeys(entry_ids)]
    result: dict[int, Attributes] = {}
    if not ids:
        return result
    entries, people, teams = Entry._meta.db_table, Person._meta.db_table, Team._meta.db_table
    adapt = connection.ops.adapt_datetimefield_value
    named_index = f" INDEXED BY {SEARCH_ATTRIBUTES_INDEX}" if connection.vendor == "sqlite" else ""
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, 500):
            entry_among, values = ids_among("e.id", chunk)
            cursor.execute(
                "SELECT e.id, e.kind, e.visibility, e.author_id, e.owner_person_id, e.owner_team_id, "  # noqa: S608
                "e.application_count, CASE WHEN e.obsolete_at IS NOT NULL THEN 'obsolete' "
                "WHEN e.review_due_at > %s THEN 'fresh' WHEN e.review_due_at > %s THEN 'due' ELSE 'stale' END, "
                f"p.full_name, o.name FROM {entries} e{named_index} CROSS JOIN {people} p "
                f"LEFT JOIN {teams} o ON o.id = e.owner_team_id WHERE p.id = e.author_id AND {entry_among}",
                [adapt(now), adapt(now - STALE_AFTER_DUE), *values],
            )
            for row in cursor.fetchall():
                result[row[0]] = Attributes(
                    entry_id=row[0], kind=row[1], visibility=row[2], author_id=row[3], owner_person_id=row[4],
                    owner_team_id=row[5], application_count=row[6], known_state=row[7], author_name=row[8],
                    team_ids={row[5]} if row[5] else set(), team_names={row[5]: row[9]} if row[5] else {},
                )
            team_links, tag_links = _links(cursor, chunk)
            for entry_id, team_id, name in team_links:
                if entry_id in result:
                    result[entry_id].team_ids.add(team_id)
                    result[entry_id].team_names[team_id] = name
            for entry_id, name in tag_links:
                if entry_id in result:
                    result[entry_id].tags.append(name)
    return result


def _rows(queryset) -> list[tuple]:
    """The entries' ROW_FIELDS, as `.values_list()` would give them but for time zones (`aware`).

    Read with the queryset's own SQL on a plain cursor: Django's per-value converters were a
    third of a rebuild's reading time. Tuples, not dicts: a rebuild reads every entry."""
    sql, params = queryset.values_list(*ROW_FIELDS).query.get_compiler(connection.alias).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def aware(value: datetime | None) -> datetime | None:
    """A datetime read with plain SQL, as the ORM would give it: SQLite stores UTC and reads
    it back naive; PostgreSQL's are aware already."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _documents(rows: list[tuple]) -> list[Document]:
    attributes = _attributes(rows)
    answers = defaultdict(list)
    # Only questions take answers (services.add_answer), and an entry keeps its kind: most
    # batches need no answers query (preparing a rebuild batch's 2,000 ids cost more than it).
    if questions := [row[0] for row in rows if row[1] == EntryKind.QUESTION]:
        # A hidden answer's text is not searchable: snippets and ranking would show it to everyone.
        shown = Answer.objects.filter(question_id__in=questions, hidden_at__isnull=True)
        for question_id, body in shown.order_by("id").values_list("question_id", "body"):
            answers[question_id].append(body)
    documents = []
    texts_from = len(ATTRIBUTE_FIELDS)
    for row in rows:
        entry_attributes = attributes[row[0]]
        title, *others = row[texts_from:]
        parts = [text for text in others if text]
        parts.extend(answers.get(row[0], ()))
        parts.extend(entry_attributes.tags)
        documents.append(Document(attributes=entry_attributes, title=title or "", rest="\n".join(parts)))
    return documents


def documents_for(entry_ids: Iterable[int]) -> dict[int, Document]:
    """Search documents of these entries; an id with no entry (any more) is left out."""
    ids = sorted(set(entry_ids))
    result: dict[int, Document] = {}
    for chunk in _chunks(ids, 500):
        rows = _rows(Entry.objects.filter(pk__in=chunk))
        result.update((document.entry_id, document) for document in _documents(rows))
    return result


def all_documents(*, batch_size: int = 2000) -> Iterator[Document]:
    """Every entry's search document, in id order, read in batches (for rebuilds)."""
    last = 0
    while True:
        rows = _rows(Entry.objects.filter(pk__gt=last).order_by("pk")[:batch_size])
        if not rows:
            return
        yield from _documents(rows)
        last = rows[-1][0]


def entry_count() -> int:
    return Entry.objects.count()


def text_of(entry) -> str:
    """The searchable text of one entry (for related entries)."""
    document = documents_for([entry.pk]).get(entry.pk)
    return document.text if document else ""


def opening_of(entry, characters: int = proximity.OPENING) -> str:
    """opening_texts' text for an entry already loaded."""
    return f"{entry.title}\n{(entry.body or '')[:characters]}"


def opening_texts(entry_ids: list[int], characters: int) -> dict[int, str]:
    """Each entry's title and the first `characters` of its body, one line apart: what
    ranking's proximity looks at (analytics.proximity), read without the rest of a long body.
    Plain SQL on a plain cursor: it runs on every search, and the ORM's row handling was a
    third of its time."""
    if not entry_ids:
        return {}
    among, params = ids_among("id", entry_ids)
    with connection.cursor() as cursor:
        # {among} is our own placeholder list (ids_among); every value is a parameter.
        cursor.execute(f"SELECT id, title, substr(body, 1, %s) FROM knowledge_entry WHERE {among}",  # noqa: S608
                       [characters, *params])
        return {pk: f"{title}\n{opening}" for pk, title, opening in cursor.fetchall()}
