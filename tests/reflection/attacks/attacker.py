"""The attacker: reads what they took away (export, backup, raw database, access log, audit log)
and guesses who wrote each anonymous card and who cast each vote.

Nothing here asks the application anything. Each attack returns a `Guess`; chance.py says
whether it beats chance. The attacks are deliberately simple: if even these link cards or votes,
a patient attacker links more.
"""

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tests.reflection.attacks import routes
from tests.reflection.attacks.evidence import canonical, normalize

CARD = "reflection.card"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


@dataclass
class Guess:
    cards: dict = field(default_factory=dict)  # card id -> person id
    votes: dict = field(default_factory=dict)  # group id -> Counter(person id -> dots)
    notes: list = field(default_factory=list)  # which variant made the guess

    def add_vote(self, group, person, dots: int = 1) -> None:
        self.votes.setdefault(group, Counter())[person] += dots


def _order_key(row: dict):
    """The hidden insertion order a raw reader sees: rowid on SQLite; on PostgreSQL the writing
    transaction (xmin), then the position in the heap (ctid)."""
    if "_rowid" in row:
        return row["_rowid"]
    if "_xmin" in row:
        return (row["_xmin"], row["_ctid"])
    return None


def _data(row: dict) -> dict:
    data = row.get("data") or {}
    if isinstance(data, str):  # raw SQLite keeps JSON as text
        try:
            data = json.loads(data)
        except ValueError:
            return {}
    return data if isinstance(data, dict) else {}


def _with_gaps(keyed: list) -> list:
    """Values in key order. Counting keys (rowids, ids) leave a gap where a row was deleted; the
    gap is kept (as None), so the n-th row still lines up with the n-th request."""
    keyed = sorted(keyed)
    if not all(isinstance(k, int) for k, _ in keyed):
        return [value for _, value in keyed]
    at = dict(keyed)
    return [at.get(k) for k in range(keyed[0][0], keyed[-1][0] + 1)]


class Case:
    """One session as seen through one source, plus the access log."""

    def __init__(self, source, session_id: int, log: list):
        self.source, self.session_id, self.log = source, session_id, log
        session = next((r for r in source.rows("reflection.session") if r["id"] == session_id), {})
        self.facilitator = session.get("facilitator_id")
        self.cards = [r for r in source.rows(CARD) if r.get("session_id") == session_id]
        self.card_ids = {r["id"] for r in self.cards}
        self.groups = [r for r in source.rows("reflection.group") if r.get("session_id") == session_id]
        group_ids = {r["id"] for r in self.groups}
        # Vote marks, whatever the table is called: reflection rows that point at a group and
        # are not cards (today reflection.votemark).
        self.marks = [r for label, rows in source.tables.items()
                      if label.startswith("reflection") and label != CARD
                      for r in rows if r.get("group_id") in group_ids and "session_id" not in r]
        self.participants = [r for r in source.rows("reflection.participant") if r.get("session_id") == session_id]
        self.events = sorted(source.rows("activity.activityevent"), key=lambda r: r["id"])
        self.address_person = self._sign_ins()

    # --- what the logs say ----------------------------------------------------------------------------------

    def _sign_ins(self) -> dict:
        """The audit log's sign-ins: address -> the person who last signed in from it."""
        seen = {}
        for row in sorted(self.source.rows("audit.auditevent"), key=lambda r: (str(r["created_at"]), r["id"])):
            if row.get("kind") == "login" and row.get("ip_address") and row.get("actor_id"):
                seen[row["ip_address"]] = row["actor_id"]
        return seen

    def requests(self, patterns, *, ok=True):
        for line in sorted(self.log, key=lambda line: line.at):
            for pattern in patterns:
                match = re.match(pattern, line.path)
                if match and int(match["session"]) == self.session_id and line.method != "GET":
                    if not ok or line.status in (200, 201, 204, 302):
                        yield line, match
                    break

    def person_at(self, line):
        return self.address_person.get(line.address)

    def card_writes(self) -> list:
        return [self.person_at(line) for line, _ in self.requests(routes.CARD_WRITE)]

    def vote_requests(self) -> list[tuple]:
        """(person, group id from the path or None, +1 cast / -1 withdrawal as far as visible)."""
        found = []
        for line, match in self.requests(routes.VOTE):
            sign = -1 if line.method == "DELETE" or line.path.endswith("/withdraw") else 1
            found.append((self.person_at(line), match["group"], sign))
        return found

    def surviving_writes(self) -> list:
        """Card-writing people in request order, each delete taking back that person's latest
        write (people delete what they just wrote; a reused rowid leaves no gap to see)."""
        changes = [(line.at, "delete", self.person_at(line)) for line, match in self.requests(routes.CARD_CHANGE)
                   if match["what"] == "delete" or line.method == "DELETE"]
        writes = [(line.at, "write", self.person_at(line)) for line, _ in self.requests(routes.CARD_WRITE)]
        kept: list = []
        for _, what, person in sorted(writes + changes, key=lambda item: item[0]):
            if what == "write":
                kept.append(person)
            elif person in kept:
                del kept[len(kept) - 1 - kept[::-1].index(person)]
        return kept

    def cards_per_person(self) -> Counter:
        """Successful card writes minus deletes, per person: what an access log plainly counts."""
        counts = Counter(self.card_writes())
        for line, match in self.requests(routes.CARD_CHANGE):
            if match["what"] == "delete" or line.method == "DELETE":
                counts[self.person_at(line)] -= 1
        return counts

    # --- hidden orders ------------------------------------------------------------------------------------

    def card_orders(self, *, with_deleted: bool = False) -> dict[str, list]:
        """Card ids in every insertion order this source reveals."""
        orders = {}
        keyed = [(k, r["id"]) for r in self.cards if (k := _order_key(r)) is not None]
        if keyed:
            orders[f"{self.source.kind} row order"] = _with_gaps(keyed)
        if self.cards and all(isinstance(r["id"], int) for r in self.cards):
            orders["card ids"] = _with_gaps([(r["id"], r["id"]) for r in self.cards])
        written = []
        for event in self.events:  # activity events about cards, in id order (first one per card)
            ours = event["subject_id"] in self.card_ids or _data(event).get("session") == self.session_id
            if event.get("subject_type") == CARD and ours and event["subject_id"] not in written:
                written.append(event["subject_id"])
        written = [card for card in written if with_deleted or card in self.card_ids]
        if written:
            orders["activity event ids"] = written
        return orders

    def mark_orders(self) -> dict[str, list]:
        """Voted-on group ids, one per stored vote mark, in every insertion order revealed."""
        orders = {}
        keyed = [(k, r["group_id"]) for r in self.marks if (k := _order_key(r)) is not None]
        if keyed:
            orders[f"{self.source.kind} row order"] = _with_gaps(keyed)
        if self.marks and all(isinstance(r["id"], int) for r in self.marks):
            orders["vote mark ids"] = _with_gaps([(r["id"], r["group_id"]) for r in self.marks])
        return orders

    def participants_in_join_order(self) -> list:
        """rowid on SQLite; otherwise the id if it counts up; otherwise where the row lies (ctid)."""
        def key(row):
            if "_rowid" in row:
                return (row["_rowid"],)
            if isinstance(row["id"], int):
                return (row["id"],)
            return row.get("_ctid") or (str(row["id"]),)

        return [r["person_id"] for r in sorted(self.participants, key=key)]

    def writer_key(self, card: dict):
        """What ties cards to one writer in the rows: an author, an alias, a writer hash."""
        if card.get("author_id"):
            return ("author", card["author_id"])
        for column in ("writer_hash", "alias"):
            if card.get(column):
                return (column, card[column])
        return None

    def spread(self, guess: Guess) -> None:
        """Whatever is known about one card holds for every card stored under the same key."""
        by_key = defaultdict(list)
        for card in self.cards:
            if (key := self.writer_key(card)) is not None:
                by_key[key].append(card["id"])
        for card in self.cards:
            person = guess.cards.get(card["id"])
            if person is not None and (key := self.writer_key(card)) is not None:
                for other in by_key[key]:
                    guess.cards.setdefault(other, person)


# --- the attacks ---------------------------------------------------------------------------------------------


def join_order(case: Case) -> list[Guess]:
    """Participants in join order vs the order in which each writer first appears among the cards."""
    guesses = []
    joined = [p for p in case.participants_in_join_order() if p != case.facilitator]
    for name, order in case.card_orders().items():
        by_id = {card["id"]: card for card in case.cards}
        guess, first = Guess(notes=[name]), []
        for card_id in order:
            if card_id is None:
                continue
            key = case.writer_key(by_id[card_id])
            if key is not None and key not in first:
                first.append(key)
        person_of = {key: (joined[i] if i < len(joined) else case.facilitator) for i, key in enumerate(first)}
        for card in case.cards:
            if (key := case.writer_key(card)) in person_of:
                guess.cards[card["id"]] = key[1] if key[0] == "author" else person_of[key]
        guesses.append(guess)
    return guesses


def insert_order_vs_request_times(case: Case) -> list[Guess]:
    """The n-th card (vote) written is the n-th card (vote) POST in the access log."""
    guesses = []
    writers, surviving = case.card_writes(), case.surviving_writes()
    for name, order in case.card_orders(with_deleted=True).items():
        variants = [(name, writers)]
        if "row order" in name or name == "card ids":  # deleted rows may have left no gap
            variants.append((name + ", a delete takes back the person's latest write", surviving))
        for label, posted in variants:
            guess = Guess(notes=[label])
            for card, person in zip(order, posted, strict=False):
                if card in case.card_ids and person is not None:
                    guess.cards[card] = person
            guesses.append(guess)
    voters = [person for person, _, sign in case.vote_requests() if sign > 0]
    for name, order in case.mark_orders().items():
        for hidden_withdrawals in (False, True):
            guess = Guess(notes=[name + (", a gap = a withdrawal posted next" if hidden_withdrawals else "")])
            for group, person in _line_up(order, voters, hidden_withdrawals):
                if group is not None and person is not None:
                    guess.add_vote(group, person)
            guesses.append(guess)
    return guesses


def _line_up(order: list, requests: list, hidden_withdrawals: bool):
    """Pair rows with requests in order. If withdrawals look like casts in the log (the web form
    posts both to one address), a gap in the ids is a deleted mark, and the same person's next
    request is the withdrawal that deleted it: skip that request."""
    requests = list(requests)
    for position, row in enumerate(order, start=1):
        if position > len(requests):
            return
        person = requests[position - 1]
        yield row, person
        if row is None and hidden_withdrawals:
            later = next((i for i in range(position, len(requests)) if requests[i] == person), None)
            if later is not None:
                del requests[later]


def activity_neighbours(case: Case) -> Guess:
    """An anonymous event right after someone's named event (by event id) is theirs."""
    guess = Guess(notes=["activity event ids"])
    events = case.events
    voted = []
    for index, event in enumerate(events):
        if event.get("actor_id") is not None or index == 0:
            continue
        before = events[index - 1]
        person = before.get("actor_id")
        if event.get("subject_type") == CARD and event["subject_id"] in case.card_ids and person is not None:
            guess.cards.setdefault(event["subject_id"], person)
        elif (event.get("subject_type") == "reflection.session" and str(event["subject_id"]) == str(case.session_id)
              and event.get("verb") == "voted"):
            voted.append(person)
    order = next(iter(case.mark_orders().values()), [])
    for group, person in zip([g for g in order if g is not None], voted, strict=False):
        if person is not None:
            guess.add_vote(group, person)
    case.spread(guess)
    return guess


def _match_sizes(sizes: dict, counts: Counter, key_rank=None, person_rank=None) -> dict:
    """Stored groups of known size -> the person whose public count is that size. Ties go in
    order: the group seen first (in any stored order) to the person who posted first."""
    key_rank, person_rank = key_rank or {}, person_rank or {}
    free = {person: count for person, count in counts.items() if person is not None and count > 0}
    matched = {}
    for key, size in sorted(sizes.items(), key=lambda item: (-item[1], key_rank.get(item[0], 1e9), str(item[0]))):
        candidates = sorted((p for p, c in free.items() if c == size), key=lambda p: (person_rank.get(p, 1e9), str(p)))
        if candidates:
            matched[key] = candidates[0]
            del free[candidates[0]]
    return matched


def hash_groups(case: Case) -> Guess:
    """Cards stored under one key, sized, matched to each person's number of card POSTs (ties by
    who posted first vs which key appears first in the stored order); vote marks sharing a hash
    matched to each participant's stored votes_used."""
    guess = Guess(notes=["writer keys vs card POSTs per address; voter hashes vs votes_used"])
    sizes = Counter(key for card in case.cards if (key := case.writer_key(card)) is not None)
    by_id = {card["id"]: card for card in case.cards}
    order = next(iter(case.card_orders().values()), [])
    seen = [case.writer_key(by_id[c]) for c in order if c is not None]
    key_rank = {key: seen.index(key) for key in set(seen)}
    posted = case.card_writes()
    person_rank = {person: posted.index(person) for person in set(posted)}
    matched = _match_sizes(sizes, case.cards_per_person(), key_rank, person_rank)
    for card in case.cards:
        key = case.writer_key(card)
        if key is not None and key[0] == "author":
            guess.cards[card["id"]] = key[1]
        elif key in matched:
            guess.cards[card["id"]] = matched[key]
    marks = defaultdict(list)
    for mark in case.marks:
        if mark.get("voter_hash"):
            marks[mark["voter_hash"]].append(mark["group_id"])
    used = Counter({p["person_id"]: p.get("votes_used", 0) for p in case.participants})
    for voter_hash, person in _match_sizes({h: len(g) for h, g in marks.items()}, used).items():
        for group in marks[voter_hash]:
            guess.add_vote(group, person)
    return guess


def ids_in_paths(case: Case) -> Guess:
    """Card and group ids in request paths, the address that sent them, and who signed in from it."""
    guess = Guess(notes=["ids in URL paths + audit sign-in addresses"])
    for line, match in case.requests(routes.CARD_CHANGE):
        card, person = match["card"], case.person_at(line)
        if card and person is not None:
            card = canonical(card)
            if card in case.card_ids:
                guess.cards[card] = person
    case.spread(guess)
    for person, group, sign in case.vote_requests():
        if group and person is not None:
            guess.add_vote(canonical(group), person, sign)
    guess.votes = {g: +voters for g, voters in guess.votes.items() if +voters}
    return guess


def shared_transactions(case: Case) -> Guess:
    """PostgreSQL: rows written by one transaction share xmin. A participant row written with a
    card (joining on the first card) or a vote mark (votes_used counted) gives the person away."""
    guess = Guess(notes=["xmin shared with a participant row"])
    person_of_xmin = {p["_xmin"]: p["person_id"] for p in case.participants if "_xmin" in p}
    for card in case.cards:
        # A row inserted in a savepoint (get_or_create inside the card's transaction) carries the
        # subtransaction's id, the one after its parent's: xmin + 1 is the same transaction.
        for xmin in (card.get("_xmin"), (card.get("_xmin") or -2) + 1):
            if xmin in person_of_xmin:
                guess.cards.setdefault(card["id"], person_of_xmin[xmin])
    case.spread(guess)
    for mark in case.marks:
        if mark.get("_xmin") in person_of_xmin:
            guess.add_vote(mark["group_id"], person_of_xmin[mark["_xmin"]])
    return guess


def _when(value):
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and DATETIME.match(value):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _nearest(lines: list, when, window=timedelta(seconds=2)):
    best = min(lines, key=lambda item: abs(item[0].at - when), default=None)
    return best if best is not None and abs(best[0].at - when) <= window else None


def timestamps(case: Case) -> Guess:
    """Any time stored on a card, a vote mark, a group or a participant, or on an event about a
    card, next to the POSTs in the access log."""
    guess = Guess(notes=["stored times vs request times"])
    writes = list(case.requests(routes.CARD_WRITE))
    votes = [(line, match) for line, match in case.requests(routes.VOTE)]
    times = defaultdict(list)
    for card in case.cards:
        times[card["id"]] += [t for v in card.values() if (t := _when(v))]
    for event in case.events:
        if event.get("subject_type") == CARD and event["subject_id"] in case.card_ids:
            times[event["subject_id"]] += [t for v in event.values() if (t := _when(v))]
    for card, found in times.items():
        for when in found:
            if (hit := _nearest(writes, when)) and (person := case.person_at(hit[0])) is not None:
                guess.cards.setdefault(card, person)
                break
    for row in case.marks:
        for when in (t for v in row.values() if (t := _when(v))):
            if (hit := _nearest(votes, when)) and (person := case.person_at(hit[0])) is not None:
                guess.add_vote(row["group_id"], person)
                break
    case.spread(guess)
    return guess


# --- raw bytes (SQLite) -------------------------------------------------------------------------------------


def _varint(data: bytes, offset: int) -> tuple[int, int]:
    value = 0
    for i in range(9):
        if offset + i >= len(data):
            raise IndexError
        byte = data[offset + i]
        if i == 8:
            return (value << 8) | byte, offset + 9
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value, offset + i + 1
    raise IndexError


_INT_SIZES = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _field(data: bytes, offset: int, kind: int):
    if kind in (0, 8, 9):
        return (None if kind == 0 else kind - 8), 0
    if kind in _INT_SIZES:
        size = _INT_SIZES[kind]
        return int.from_bytes(data[offset:offset + size], "big", signed=True), size
    if kind == 7:
        return None, 8
    if kind >= 12:
        size = (kind - 12) // 2
        chunk = data[offset:offset + size]
        return (chunk.decode() if kind % 2 else chunk), size
    raise ValueError(kind)


def card_records_in_bytes(data: bytes, columns: list[str]) -> list[dict]:
    """Every card-table record still readable in a SQLite file, live or left behind in free space
    (a freed cell loses only its first four bytes, before the column types)."""
    if not columns or columns[0] != "id":
        return []
    found, offset = [], data.find(b"\x4d")  # a 32-character text: the id as SQLite stores a UUID
    while offset != -1:
        try:
            kinds, position = [], offset
            for _ in columns:
                kind, position = _varint(data, position)
                if kind in (10, 11):
                    raise ValueError
                kinds.append(kind)
            row = {}
            for name, kind in zip(columns, kinds, strict=True):
                value, size = _field(data, position, kind)
                position += size
                row[name] = value
            if position <= len(data) and isinstance(row["id"], str) and re.fullmatch(r"[0-9a-f]{32}", row["id"]):
                found.append(normalize(row))
        except (ValueError, IndexError, UnicodeDecodeError):
            pass
        offset = data.find(b"\x4d", offset + 1)
    return found


def residual_records(case: Case) -> Guess:
    """Old versions of card rows left in the file's free space: an author erased by raising the
    anonymity, or a writer hash, still readable next to the card's id."""
    guess = Guess(notes=["card records in the file's free space"])
    if case.source.kind != "sqlite":
        return guess
    for record in card_records_in_bytes(case.source.raw_bytes, case.source.columns.get("reflection_card", [])):
        if record["id"] in case.card_ids and record.get("author_id"):
            guess.cards.setdefault(record["id"], record["author_id"])
    case.spread(guess)
    return guess
