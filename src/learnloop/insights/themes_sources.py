"""Where theme texts come from: one `SourceText` per retro card, postmortem contributing factor,
after-action gap, action title, question, lesson title and released survey comment.

- Retro cards: every card of a retrospective session.
- Postmortem contributing factors: cards in a postmortem's columns that ask "5 whys".
- After-action gaps: cards in an after-action review's "Why they differ" column (key `difference`).
- Actions: their titles. Questions and lessons: the titles of knowledge entries of those kinds
  visible to everyone. Team-only entries are left out: their words must not reach a theme's label,
  which everyone who sees the theme reads.
- Survey comments: only what the disclosure engine shows (`disclosure_gate.comment_groups`) of
  closed campaigns, under the hierarchy node it is shown for. A comment is referred to by its
  campaign, node and place in that (shuffled) list, never by its stored row.

A card is never stored with its writer: only its public id, its session, its session's team and
its session's date.
"""

from dataclasses import dataclass
from datetime import date

from learnloop.actions.models import Action
from learnloop.insights.themes_models import Source
from learnloop.knowledge.models import Entry, EntryKind, Visibility
from learnloop.reflection.models import Card, Session, TemplateKind
from learnloop.surveys import disclosure_gate
from learnloop.surveys.models import Campaign, CampaignStatus

GAP_COLUMN = "difference"


@dataclass(frozen=True)
class SourceText:
    source: str
    ref: str
    text: str
    on: date
    team_id: int | None = None
    session_id: int | None = None
    action_id: int | None = None
    entry_id: int | None = None
    campaign_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.source}:{self.ref}"


def card_source(session: Session, column: str) -> str | None:
    """Which theme source a card of this session and column is, or None (not themed)."""
    kind = session.template.kind
    if kind == TemplateKind.RETRO:
        return Source.RETRO_CARD
    if kind == TemplateKind.POSTMORTEM:
        spec = session.template.column(column) or {}
        return Source.POSTMORTEM_FACTOR if spec.get("whys") else None
    if kind == TemplateKind.REVIEW:
        return Source.REVIEW_GAP if column == GAP_COLUMN else None
    return None


def session_texts(session: Session) -> list[SourceText]:
    texts = []
    for card_id, column, text in Card.objects.filter(session=session).values_list("id", "column", "text"):
        source = card_source(session, column)
        if source and text.strip():
            texts.append(SourceText(source, str(card_id), text, session.held_on, session.team_id,
                                    session_id=session.pk))
    return texts


def _card_texts() -> list[SourceText]:
    sessions = {
        session.pk: session for session in Session.objects.select_related("template").filter(
            template__kind__in=[TemplateKind.RETRO, TemplateKind.POSTMORTEM, TemplateKind.REVIEW])
    }
    texts = []
    for card_id, session_id, column, text in Card.objects.filter(session_id__in=list(sessions)).values_list(
            "id", "session_id", "column", "text"):
        session = sessions[session_id]
        source = card_source(session, column)
        if source and text.strip():
            texts.append(SourceText(source, str(card_id), text, session.held_on, session.team_id,
                                    session_id=session_id))
    return texts


def action_text(action: Action) -> SourceText:
    return SourceText(Source.ACTION, str(action.pk), action.title, action.created_at.date(), action.team_id,
                      action_id=action.pk)


def entry_text(entry: Entry) -> SourceText | None:
    if entry.visibility != Visibility.EVERYONE or entry.kind not in (EntryKind.LESSON, EntryKind.QUESTION):
        return None
    source = Source.LESSON if entry.kind == EntryKind.LESSON else Source.QUESTION
    return SourceText(source, str(entry.pk), entry.title, entry.created_at.date(), entry.owner_team_id,
                      entry_id=entry.pk)


def campaign_texts(campaign: Campaign) -> list[SourceText]:
    if campaign.status != CampaignStatus.CLOSED or not campaign.release:
        return []
    texts = []
    for node, comments in sorted(disclosure_gate.comment_groups(campaign).items()):
        team_id = None if node == disclosure_gate.ORGANIZATION else int(node)
        for place, text in enumerate(comments):
            if text.strip():
                texts.append(SourceText(Source.SURVEY_COMMENT, f"{campaign.pk}:{node}:{place}", text,
                                        campaign.closes_on, team_id, campaign_id=campaign.pk))
    return texts


def every_text() -> list[SourceText]:
    """Every themed text of the organization, in a fixed order (by key)."""
    texts = _card_texts()
    texts += [action_text(action) for action in Action.objects.only("id", "title", "created_at", "team_id")]
    entries = Entry.objects.filter(kind__in=[EntryKind.LESSON, EntryKind.QUESTION], visibility=Visibility.EVERYONE)
    texts += [text for entry in entries.only("id", "kind", "title", "created_at", "owner_team_id", "visibility")
              if (text := entry_text(entry))]
    for campaign in Campaign.objects.filter(status=CampaignStatus.CLOSED, release__isnull=False):
        texts += campaign_texts(campaign)
    return sorted(texts, key=lambda text: text.key)
