"""Every write to themes: the full recompute, placing new or changed texts, and people's corrections.

Recompute (`rebuild`): group every text (learnloop.analytics.themes), re-apply the corrections
oldest first (a split pulls its items out again, a merge joins the groups holding most of its two
sides), then give each group the existing theme it shares most items with (one to one, greedy by
overlap), so theme ids, names and links survive; groups left over become new themes, themes left
over are retired. A person's correction wins over the algorithm.

Placing (`place_*`): a new text joins the theme its nearest grouped texts are in now
(ThemeModel.add over the last recompute's vocabulary), or starts its own. Run from the task queue
(themes_tasks), never in the request that wrote the card.
"""

import secrets
import time
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions.models import Action
from learnloop.activity.signals import theme_recurred
from learnloop.insights.themes_models import CorrectionKind, Theme, ThemeCorrection, ThemeItem, ThemeRun
from learnloop.insights.themes_permissions import can_correct
from learnloop.insights.themes_sources import (
    SourceText,
    action_text,
    campaign_texts,
    entry_text,
    every_text,
    session_texts,
)
from learnloop.knowledge.models import Entry
from learnloop.reflection.models import Session
from learnloop.surveys.models import Campaign

NAME_LIMIT = 200
_random = secrets.SystemRandom()


def _item(text: SourceText, theme_id: int) -> ThemeItem:
    return ThemeItem(theme_id=theme_id, source=text.source, ref=text.ref, key=text.key, text=text.text,
                     team_id=text.team_id, on=text.on, session_id=text.session_id, action_id=text.action_id,
                     entry_id=text.entry_id, campaign_id=text.campaign_id)


def current_run() -> ThemeRun | None:
    return ThemeRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()


# --- recompute ----------------------------------------------------------------------------------------


def _most(groups: list[dict], keys) -> int | None:
    """Index of the group holding most of `keys` (None if none holds any)."""
    keys = set(keys)
    counts = Counter()
    for index, group in enumerate(groups):
        shared = len(group["keys"] & keys)
        if shared:
            counts[index] = shared
    return max(counts, key=lambda index: (counts[index], -index)) if counts else None


def _apply_corrections(groups: list[dict], corrections, live: set[int]) -> list[dict]:
    for correction in corrections:
        if correction.kind == CorrectionKind.SPLIT and correction.theme_id in live:
            moved = set(correction.items)
            present = set()
            for group in groups:
                present |= group["keys"] & moved
                group["keys"] -= moved
            groups.append({"keys": present, "label": "", "bound": correction.theme_id})
        elif correction.kind == CorrectionKind.MERGE:
            first, second = _most(groups, correction.items), _most(groups, correction.other_items)
            if first is None or second is None or first == second:
                continue
            kept, gone = groups[first], groups[second]
            kept["keys"] |= gone["keys"]
            kept["bound"] = kept["bound"] or (correction.theme_id if correction.theme_id in live else None)
            if len(gone["keys"]) > len(kept["keys"]) - len(gone["keys"]):
                kept["label"] = gone["label"] or kept["label"]
            gone["keys"] = set()
    return [group for group in groups if group["keys"]]


def _match(groups: list[dict], theme_of: dict[str, int], live: set[int]) -> None:
    """Give each group a theme id: its bound one, else the live theme it shares most items with."""
    taken = {group["bound"] for group in groups if group.get("bound")}
    pairs = []
    for index, group in enumerate(groups):
        if group.get("bound"):
            group["theme"] = group["bound"]
            continue
        overlap = Counter(theme_of[key] for key in group["keys"] if key in theme_of)
        pairs += [(count, -theme_id, index, theme_id) for theme_id, count in overlap.items() if theme_id in live]
    done = set()
    for _count, _, index, theme_id in sorted(pairs, reverse=True):
        if index in done or theme_id in taken:
            continue
        groups[index]["theme"] = theme_id
        taken.add(theme_id)
        done.add(index)


def rebuild(*, settings=None, announce=lambda message: None) -> ThemeRun:
    """Regroup every text from scratch, keeping theme ids where the themes are found again.
    `settings`: a learnloop.analytics.themes.ThemeSettings (the defaults when None)."""
    # numpy, scipy and igraph load here, not when Django starts (tests/test_cli_imports.py).
    from learnloop.analytics.themes import group_themes
    from learnloop.insights import themes_state

    started = time.process_time()
    texts = every_text()
    announce(f"grouping {len(texts)} texts into themes")
    model = group_themes([text.text for text in texts], settings)
    groups_by_number: dict[int, dict] = {}
    for theme in model.themes():
        groups_by_number[theme.number] = {
            "keys": {texts[index].key for index in theme.members}, "label": theme.label[:300], "bound": None}
    groups = list(groups_by_number.values())
    by_key = {text.key: text for text in texts}
    with transaction.atomic():
        live = set(Theme.objects.filter(retired_at__isnull=True).values_list("pk", flat=True))
        theme_of = dict(ThemeItem.objects.values_list("key", "theme_id"))
        groups = _apply_corrections(
            groups, ThemeCorrection.objects.filter(undone_at__isnull=True).order_by("created_at", "id"), live)
        _match(groups, theme_of, live)
        now = timezone.now()
        kept = {group["theme"] for group in groups if group.get("theme")}
        Theme.objects.filter(pk__in=live - kept).update(retired_at=now)
        for group in groups:
            if not group.get("theme"):
                group["theme"] = Theme.objects.create(label=group["label"], created_at=now).pk
        labels = {group["theme"]: group["label"] for group in groups if group["label"]}
        for theme in Theme.objects.filter(pk__in=labels):
            if theme.label != labels[theme.pk]:
                theme.label = labels[theme.pk]
                theme.save(update_fields=["label"])
        ThemeItem.objects.all().delete()
        items = [_item(by_key[key], group["theme"]) for group in groups for key in group["keys"]]
        items.sort(key=lambda item: item.key)  # card keys are random ids: this order tells nothing
        ThemeItem.objects.bulk_create(items, batch_size=1000)
        run = ThemeRun.objects.create(
            finished_at=timezone.now(), texts=len(texts), themes=len(groups),
            cpu_seconds=round(time.process_time() - started, 3),
            state=themes_state.dump(model.vocabulary, model.matrix, [text.key for text in texts],
                                    model.settings))
        ThemeRun.objects.exclude(pk=run.pk).delete()
        _announce_themes({group["theme"] for group in groups})
    return run


# --- placing new and changed texts ----------------------------------------------------------------


def _place(texts: list[SourceText], existing: dict[str, ThemeItem]) -> list[ThemeItem]:
    """ThemeItem rows (unsaved) for `texts`: kept in their theme while the text is unchanged, else placed."""
    placed, to_place = [], []
    for text in texts:
        old = existing.get(text.key)
        if old is not None and old.text == text.text:
            placed.append(_item(text, old.theme_id))
        else:
            to_place.append(text)
    if not to_place:
        return placed
    run = current_run()
    live = set(Theme.objects.filter(retired_at__isnull=True).values_list("pk", flat=True))
    model = None
    if run is not None and run.state:
        from learnloop.insights import themes_state

        run_id = (run.pk, run.finished_at)
        theme_of = dict(ThemeItem.objects.values_list("key", "theme_id"))
        since = [key for key in theme_of if key not in themes_state.run_keys(run_id, run.state)
                 and key not in existing]  # the texts being placed again are placed below
        placed_since = list(ThemeItem.objects.filter(key__in=since).order_by("key").values_list("text", "theme_id"))
        model = themes_state.placing_model(run_id, run.state, theme_of, placed_since)
    # The model numbers a new theme from above every theme id today; each such number becomes a
    # Theme once, so later texts voting for it join that Theme (whatever id the database gave it).
    first_new = max(live, default=0) + 1
    if model is not None:
        model.reserve_numbers_below(first_new)
    created: dict[int, int] = {}
    for text in to_place:
        number = model.add(text.text) if model is not None else None
        if number is not None and number < first_new and number in live:
            theme_id = number
        elif number is not None and number in created:
            theme_id = created[number]
        else:
            theme_id = Theme.objects.create(label=text.text[:300]).pk
            if number is not None and number >= first_new:
                created[number] = theme_id
        live.add(theme_id)
        placed.append(_item(text, theme_id))
    return placed


def _announce_themes(theme_ids: set) -> None:
    """Let listeners look for themes that came back after an effective action (activity.signals)."""
    if not theme_ids or not theme_recurred.has_listeners(Theme):
        return
    from learnloop.insights.themes_selectors import recurrence_records

    theme_recurred.send(sender=Theme, theme_ids=theme_ids, find=lambda: recurrence_records(theme_ids))


def _announce(items) -> None:
    _announce_themes({item.theme_id for item in items})


def place_session(session_id: int) -> int:
    """Bring a session's card items up to date; they are rewritten in a random order every time,
    so the items' row order and ids say nothing about the order the cards were written in."""
    session = Session.objects.select_related("template").filter(pk=session_id).first()
    with transaction.atomic():
        existing = {item.key: item for item in ThemeItem.objects.filter(session_id=session_id)}
        items = _place(session_texts(session), existing) if session else []
        ThemeItem.objects.filter(session_id=session_id).delete()
        _random.shuffle(items)
        ThemeItem.objects.bulk_create(items)
        _announce(items)
    return len(items)


def _place_one(text: SourceText | None, filter_) -> int:
    with transaction.atomic():
        existing = {item.key: item for item in ThemeItem.objects.filter(**filter_)}
        items = _place([text], existing) if text else []
        ThemeItem.objects.filter(**filter_).delete()
        ThemeItem.objects.bulk_create(items)
        _announce(items)
    return len(items)


def place_action(action_id: int) -> int:
    action = Action.objects.filter(pk=action_id).first()
    return _place_one(action_text(action) if action else None, {"action_id": action_id})


def place_entry(entry_id: int) -> int:
    entry = Entry.objects.filter(pk=entry_id).first()
    return _place_one(entry_text(entry) if entry else None, {"entry_id": entry_id})


def place_campaign(campaign_id: int) -> int:
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    with transaction.atomic():
        existing = {item.key: item for item in ThemeItem.objects.filter(campaign_id=campaign_id)}
        items = _place(campaign_texts(campaign), existing) if campaign else []
        ThemeItem.objects.filter(campaign_id=campaign_id).delete()
        ThemeItem.objects.bulk_create(items)
        _announce(items)
    return len(items)


def place(refs: list[str]) -> int:
    """Place what changed: refs such as "session:12", "action:3", "entry:7", "campaign:2"."""
    placers = {"session": place_session, "action": place_action, "entry": place_entry, "campaign": place_campaign}
    count = 0
    for ref in dict.fromkeys(refs):
        kind, _, pk = ref.partition(":")
        if kind in placers and pk.isdigit():
            count += placers[kind](int(pk))
    return count


# --- corrections ---------------------------------------------------------------------------------


def _require_correct(by) -> None:
    if not can_correct(by):
        raise PermissionDenied("Only learning leads and admins correct themes.")


def _clean_name(name: str, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({field: "Give the theme a name."})
    if len(name) > NAME_LIMIT:
        raise ValidationError({field: f"A theme's name is at most {NAME_LIMIT} characters."})
    return name


def _live(theme: Theme, field: str) -> None:
    if theme.retired_at is not None:
        raise ValidationError({field: "That theme was retired or merged; open the theme it went into."})


def rename_theme(*, by, theme: Theme, name: str) -> Theme:
    _require_correct(by)
    _live(theme, "theme")
    name = _clean_name(name)
    with transaction.atomic():
        theme.name, theme.named_by = name, by
        theme.save(update_fields=["name", "named_by"])
        ThemeCorrection.objects.create(kind=CorrectionKind.RENAME, theme=theme, name=name, by=by,
                                       items=sorted(theme.items.values_list("key", flat=True)))
    return theme


def merge_themes(*, by, theme: Theme, other: Theme) -> Theme:
    """Merge `other` into `theme`: its items move over, it is retired and points at `theme`."""
    _require_correct(by)
    _live(theme, "theme")
    if other is None or other.pk == theme.pk:
        raise ValidationError({"other": gettext("Choose another theme to merge into this one.")})
    _live(other, "other")
    with transaction.atomic():
        ThemeCorrection.objects.create(
            kind=CorrectionKind.MERGE, theme=theme, other=other, by=by,
            items=sorted(theme.items.values_list("key", flat=True)),
            other_items=sorted(other.items.values_list("key", flat=True)))
        other.items.update(theme=theme)
        other.retired_at, other.merged_into = timezone.now(), theme
        other.save(update_fields=["retired_at", "merged_into"])
    return theme


def split_theme(*, by, theme: Theme, keys: list[str], name: str) -> Theme:
    """Move some of a theme's items into a new theme called `name`."""
    _require_correct(by)
    _live(theme, "theme")
    name = _clean_name(name)
    all_keys = set(theme.items.values_list("key", flat=True))
    moved = sorted(set(keys) & all_keys)
    if not moved:
        raise ValidationError({"items": gettext("Choose the items to move into the new theme.")})
    if len(moved) == len(all_keys):
        raise ValidationError({"items": gettext("Leave at least one item in this theme (or rename it instead).")})
    with transaction.atomic():
        new = Theme.objects.create(name=name, named_by=by, label=theme.label)
        ThemeItem.objects.filter(theme=theme, key__in=moved).update(theme=new)
        ThemeCorrection.objects.create(kind=CorrectionKind.SPLIT, theme=new, other=theme, name=name, by=by,
                                       items=moved, other_items=sorted(all_keys - set(moved)))
    return new


# --- undoing a correction ------------------------------------------------------------------------


def _undo_rename(correction: ThemeCorrection) -> None:
    """The theme takes the name of the naming correction still standing before this one (a rename,
    or the split that made it), or loses its name; a later rename still standing keeps its name."""
    theme = correction.theme
    naming = ThemeCorrection.objects.filter(
        Q(kind=CorrectionKind.RENAME) | Q(kind=CorrectionKind.SPLIT), theme=theme, undone_at__isnull=True,
    ).exclude(pk=correction.pk).order_by("created_at", "id")
    if naming.filter(created_at__gt=correction.created_at).exists():
        return
    previous = naming.filter(created_at__lte=correction.created_at).last()
    theme.name, theme.named_by = (previous.name, previous.by) if previous else ("", None)
    theme.save(update_fields=["name", "named_by"])


def _undo_merge(correction: ThemeCorrection) -> None:
    """The merged theme comes back with the items it brought (wherever they are now)."""
    other = correction.other
    if other is None:
        raise ValidationError({"correction": gettext("The theme that was merged in no longer exists.")})
    if other.merged_into_id not in (None, correction.theme_id):
        raise ValidationError({"correction": gettext("That theme was merged again since; undo the later merge first.")})
    ThemeItem.objects.filter(key__in=correction.other_items).update(theme=other)
    other.retired_at, other.merged_into = None, None
    other.save(update_fields=["retired_at", "merged_into"])


def _undo_split(correction: ThemeCorrection) -> None:
    """The split-off theme's items go back to the theme they came from; the split-off theme retires."""
    new, original = correction.theme, correction.other
    if original is None or original.retired_at is not None:
        raise ValidationError({"correction": "The theme it was split from was retired or merged since; "
                                             "undo that first."})
    new.items.update(theme=original)
    new.retired_at, new.merged_into = timezone.now(), original
    new.save(update_fields=["retired_at", "merged_into"])


def undo_correction(*, by, correction: ThemeCorrection) -> ThemeCorrection:
    """Undo a rename, merge or split now, and stop re-applying it on regrouping. The correction is
    kept, marked undone (by whom, when), so the corrections page still tells what happened."""
    _require_correct(by)
    if correction.undone_at is not None:
        raise ValidationError({"correction": gettext("This correction was already undone.")})
    undo = {CorrectionKind.RENAME: _undo_rename, CorrectionKind.MERGE: _undo_merge,
            CorrectionKind.SPLIT: _undo_split}[correction.kind]
    with transaction.atomic():
        undo(correction)
        correction.undone_at, correction.undone_by = timezone.now(), by
        correction.save(update_fields=["undone_at", "undone_by"])
    return correction
