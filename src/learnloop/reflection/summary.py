"""A session's summary (issue 21, item 1): what was said, grouped and voted on, the notes and
decisions, the actions and the lessons, as a page, Markdown, a PDF, an email to the participants
and a share link.

Everything is read as the viewer may see it: cards through selectors.cards_for (bylines only in
named or alias sessions), actions and lessons through their own permission checks. Who wrote a
card in an anonymous session is never in a summary, whatever the format. A share link lets any
signed-in person of the organization read the summary (as themself, so the same rules apply);
only the SHA-256 of its token is stored, and a new link replaces the old one."""

import hashlib
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import formats, translation
from django.utils.translation import gettext, ngettext

from learnloop.actions.permissions import can_view as can_view_action
from learnloop.reflection import follow_up, selectors
from learnloop.reflection.models import Participant, Phase, Session
from learnloop.reflection.permissions import can_facilitate, can_view_session, is_active_person, require

SUMMARY_FROM = Phase.DISCUSS  # before this, cards may still be private or unrevealed


@dataclass
class SummaryGroup:
    title: str
    votes: int | None
    cards: list
    notes: str
    decision: str


@dataclass
class Summary:
    session: Session
    participants: int
    groups: list[SummaryGroup] = field(default_factory=list)
    loose_cards: list = field(default_factory=list)  # cards in no group, by column
    actions: list = field(default_factory=list)
    lessons: list = field(default_factory=list)
    columns: dict = field(default_factory=dict)  # column key -> title


def available(session: Session) -> bool:
    return session.phase_index >= Session(phase=SUMMARY_FROM).phase_index


def summary_for(viewer, session: Session) -> Summary:
    if not available(session):
        raise ValidationError({"session": gettext("The summary is ready once the discussion has started.")})
    cards = selectors.cards_for(viewer, session)
    groups = {str(group.pk): group for group in session.groups.all()}
    summary = Summary(session=session, participants=Participant.objects.filter(session=session).count(),
                      columns={column["key"]: column["title"] for column in session.template.shown_columns})
    for row in selectors.groups_with_cards(session, cards):
        group = groups[row["id"]]
        summary.groups.append(SummaryGroup(row["title"], row["votes"], row["cards"], group.discussion_notes,
                                           group.decision))
    summary.loose_cards = [card for card in cards if not card.group_id]
    summary.actions = [action for action in follow_up.actions_of(session) if can_view_action(viewer, action)]
    summary.lessons = selectors.lessons_of(session, viewer)
    return summary


# --- Markdown and PDF ---------------------------------------------------------------------------------


def _line(text: str) -> str:
    return " ".join(text.split())


def _date(day) -> str:
    return formats.date_format(day, "j M Y")


def as_markdown(summary: Summary) -> str:
    session = summary.session
    facilitated = gettext("facilitated by %(name)s") % {"name": session.facilitator.full_name}
    participants = ngettext("%(count)s participant", "%(count)s participants", summary.participants) % {
        "count": summary.participants}
    lines = [f"# {_line(session.title)}", "",
             f"{session.template.shown_name} · {session.team.name} · {_date(session.held_on)} · "
             f"{facilitated} · {participants} · {str(session.get_anonymity_display()).lower()}", ""]
    if session.goal:
        lines += [f"**{gettext('Goal:')}** {_line(session.goal)}", ""]
    lines += [f"## {gettext('Topics')}", ""]
    for group in summary.groups:
        votes = (" (" + ngettext("%(count)s vote", "%(count)s votes", group.votes) % {"count": group.votes} + ")"
                 if group.votes is not None else "")
        lines += [f"### {_line(group.title)}{votes}", ""]
        lines += [f"- {_line(card.text)}" + (f" — {card.byline}" if card.byline else "") for card in group.cards]
        lines.append("")
        if group.notes:
            lines += [f"**{gettext('Notes:')}** {_line(group.notes)}", ""]
        if group.decision:
            lines += [f"**{gettext('Decision:')}** {_line(group.decision)}", ""]
    if not summary.groups:
        lines += [gettext("No topics."), ""]
    if summary.loose_cards:
        lines += [f"## {gettext('Other cards')}", ""]
        lines += [f"- {summary.columns.get(card.column, card.column)}: {_line(card.text)}"
                  for card in summary.loose_cards]
        lines.append("")
    lines += [f"## {gettext('Actions')}", ""]
    lines += [
        f"- {_line(action.title)} ({action.get_status_display()}"
        + (f", {action.owner.full_name}" if action.owner else "")
        + (", " + gettext("due %(date)s") % {"date": _date(action.due_on)} if action.due_on else "")
        + ")"
        for action in summary.actions
    ]
    if not summary.actions:
        lines.append(gettext("No actions."))
    lines += ["", f"## {gettext('Lessons')}", ""]
    lines += [f"- {_line(entry.title)}" for entry in summary.lessons] or [gettext("No lessons.")]
    return "\n".join(lines).rstrip() + "\n"


def as_pdf(summary: Summary) -> bytes:
    """The Markdown's content laid out as a PDF with fpdf2. A Unicode font is used when the
    system has DejaVu Sans (Debian's fonts-dejavu-core); otherwise the PDF core font, which
    cannot draw characters outside Latin-1 (they print as "?")."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    family, encodable = _font(pdf)
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def write(text: str, size: int = 11, style: str = "", gap: float = 1.5):
        pdf.set_font(family, style, size)
        pdf.multi_cell(width, size * 0.5, encodable(text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    for line in as_markdown(summary).splitlines():
        if line.startswith("# "):
            write(line[2:], 18, "B", 3)
        elif line.startswith("## "):
            write(line[3:], 14, "B", 2)
        elif line.startswith("### "):
            write(line[4:], 12, "B", 1)
        elif line.startswith("- "):
            write("• " + line[2:] if family != "helvetica" else "- " + line[2:], 11, "", 0.5)
        elif line.strip():
            write(line.replace("**", ""))
    return bytes(pdf.output())


# DejaVu Sans comes with the front-end libraries (npm's dejavu-fonts-ttf, pinned in
# package-lock.json), so every install draws any script; Debian's fonts-dejavu-core is the
# fallback for an install that serves its static files from elsewhere (LEARNLOOP_NODE_MODULES).
FONT_FILES = ("dejavu-fonts-ttf/ttf/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD_FILES = ("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _font_paths(files) -> list:
    from pathlib import Path

    from django.conf import settings

    return [Path(name) if name.startswith("/") else Path(settings.NODE_MODULES_DIR) / name for name in files]


def _font(pdf):
    regular = next((path for path in _font_paths(FONT_FILES) if path.exists()), None)
    bold = next((path for path in _font_paths(BOLD_FILES) if path.exists()), None)
    if regular and bold:
        pdf.add_font("dejavu", "", regular)
        pdf.add_font("dejavu", "B", bold)
        return "dejavu", lambda text: text
    return "helvetica", lambda text: text.encode("latin-1", "replace").decode("latin-1")


# --- share link ---------------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def share(*, by, session: Session) -> str:
    """A new share link's token (shown once); the previous link stops working."""
    require(can_facilitate(by, session), gettext("Only the facilitator shares the summary."))
    if not available(session):
        raise ValidationError({"session": gettext("The summary is ready once the discussion has started.")})
    token = secrets.token_urlsafe(32)
    Session.objects.filter(pk=session.pk).update(summary_token_hash=_digest(token))
    session.summary_token_hash = _digest(token)
    return token


def unshare(*, by, session: Session) -> None:
    require(can_facilitate(by, session), gettext("Only the facilitator shares the summary."))
    Session.objects.filter(pk=session.pk).update(summary_token_hash="")
    session.summary_token_hash = ""


def shared_session(viewer, token: str) -> Session:
    """The session a share link opens, for any signed-in person of the organization."""
    if not is_active_person(viewer):
        raise PermissionDenied(gettext("Sign in to read a shared summary."))
    if not token or len(token) > 100:
        raise Http404("No such summary.")
    session = (
        Session.objects.select_related("team", "template", "facilitator")
        .filter(summary_token_hash=_digest(token))
        .first()
    )
    if session is None or not available(session):
        raise Http404("No such summary.")
    return session


def summary_page_allowed(viewer, session: Session) -> bool:
    return can_view_session(viewer, session)


# --- email --------------------------------------------------------------------------------------------


def email_participants(*, by, session: Session, base_url: str) -> int:
    """Send the summary to everyone who took part, each reading it as themself; returns how many
    messages went out. Sent once per person and session version of the summary."""
    from learnloop.ops import mail

    require(can_facilitate(by, session), gettext("Only the facilitator sends the summary."))
    people = [
        participant.person
        for participant in Participant.objects.filter(session=session).select_related("person")
        if participant.person.is_active and participant.person.email
    ]
    sent = 0
    for person in people:
        with translation.override(_language_of(person)):
            body = as_markdown(summary_for(person, session))
            link = f"{base_url}/sessions/{session.pk}/summary/"
            subject = gettext("Summary: %(title)s") % {"title": session.title}
            text = body + "\n" + gettext("On Learnloop: %(link)s") % {"link": link} + "\n"
        key = f"session-summary:{session.pk}:{person.pk}:{hashlib.sha256(body.encode()).hexdigest()[:16]}"
        if mail.send_once(key, subject, text, [person.email]):
            sent += 1
    return sent


def _language_of(person) -> str:
    """The recipient's own language when they chose one (org.language once merged), else the site's."""
    from django.conf import settings

    code = getattr(person, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
