"""New and changed texts reach their themes through the task queue, never in the writing request.

Saving a card, an action, a knowledge entry or closing a survey campaign notes the source ("session:12",
"action:3", ...) on the transaction; when it commits, one `place_theme_sources` task takes all of
them. A card is noted by its session, not by its id, and the task rewrites the session's items in
a random order: the queue's rows say when a session changed, never which card was written when.
A restore brings the themes back with the rest of the data (they are rows like any other), so
it does not regroup; the demo regroups in its own build step (insights/demo.py).
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from learnloop.actions.digest import digest_sections, team_digest_sections
from learnloop.actions.models import Action
from learnloop.insights.metrics_digest import metric_changes_section, team_metric_changes_section
from learnloop.insights.themes_digest import recurring_themes_section
from learnloop.insights.themes_models import ThemeRun
from learnloop.knowledge.models import Entry
from learnloop.reflection.models import Card
from learnloop.surveys.models import Campaign, CampaignStatus

_PENDING = "_learnloop_theme_refs"


def _note(ref: str) -> None:
    """Add `ref` to this transaction's batch; the batch is queued once, on commit."""
    connection = transaction.get_connection()
    batch = getattr(connection, _PENDING, None)
    # run_on_commit is a new list after every commit or rollback: a batch of a rolled-back
    # transaction (whose callback was dropped) is never reused.
    if batch is None or batch[0] is not connection.run_on_commit or not connection.in_atomic_block:
        refs: dict[str, None] = {}
        batch = (connection.run_on_commit, refs)
        setattr(connection, _PENDING, batch)
        transaction.on_commit(lambda: _queue(refs))
    batch[1][ref] = None


def _queue(refs: dict) -> None:
    """Queue the batch, once there are themes to place into: until the first regrouping there is
    no vocabulary, and that regrouping takes every text anyway."""
    from learnloop.insights.themes_tasks import place_theme_sources

    if refs and ThemeRun.objects.filter(finished_at__isnull=False).exists():
        place_theme_sources.enqueue(list(refs))


def card_changed(sender, instance: Card, update_fields=None, **kwargs) -> None:
    if update_fields is not None and "text" not in update_fields:
        return  # grouping, decisions: the text is the same
    _note(f"session:{instance.session_id}")


def action_changed(sender, instance: Action, update_fields=None, **kwargs) -> None:
    if update_fields is not None and "title" not in update_fields and "team" not in update_fields:
        return
    _note(f"action:{instance.pk}")


def entry_changed(sender, instance: Entry, **kwargs) -> None:
    if instance.kind in ("lesson", "question"):
        _note(f"entry:{instance.pk}")


def campaign_changed(sender, instance: Campaign, **kwargs) -> None:
    if instance.status == CampaignStatus.CLOSED and instance.release:
        _note(f"campaign:{instance.pk}")


def connect() -> None:
    post_save.connect(card_changed, sender=Card, dispatch_uid="themes-card-saved")
    post_delete.connect(card_changed, sender=Card, dispatch_uid="themes-card-deleted")
    post_save.connect(action_changed, sender=Action, dispatch_uid="themes-action-saved")
    post_save.connect(entry_changed, sender=Entry, dispatch_uid="themes-entry-saved")
    post_save.connect(campaign_changed, sender=Campaign, dispatch_uid="themes-campaign-saved")
    digest_sections.connect(recurring_themes_section, dispatch_uid="themes-digest")
    # After the themes: a digest with only these sections is titled "recurring themes ..., metric changes ...".
    digest_sections.connect(metric_changes_section, dispatch_uid="metrics-digest")
    team_digest_sections.connect(team_metric_changes_section, dispatch_uid="metrics-team-digest")
