"""Who may see and change knowledge entries.

Visibility "everyone" means every signed-in person. A team-only entry is visible to members of
its teams and of its owning team, to its owner and to its author — nobody else, admins and
learning leads included: team-only means what it says.

Editing the content is for the author, the owner (or members of the owning team), learning
leads and admins. Curating (verifying, marking obsolete, moving a decision's status, changing
owner or visibility) is for the owner side, learning leads and admins. Anyone who can see an
entry can answer it, apply it, give feedback and link to it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext

from learnloop.knowledge.models import Entry, Visibility
from learnloop.org.membership import is_active_person, member_team_ids


def visible_q(person) -> Q:
    """The entries `person` may see, as a filter usable in any entry query."""
    if not is_active_person(person):
        return Q(pk__in=[])
    teams = member_team_ids(person)
    return (
        Q(visibility=Visibility.EVERYONE)
        | Q(author=person)
        | Q(owner_person=person)
        | Q(owner_team__in=teams)
        | Q(teams__in=teams)
    )


def can_view(person, entry: Entry) -> bool:
    if not is_active_person(person):
        return False
    if entry.visibility == Visibility.EVERYONE:
        return True
    if person.pk in {entry.author_id, entry.owner_person_id}:
        return True
    teams = member_team_ids(person)
    if entry.owner_team_id in teams:
        return True
    if "teams" in getattr(entry, "_prefetched_objects_cache", {}):  # loaded already: no query
        return any(team.pk in teams for team in entry.teams.all())
    return entry.teams.filter(pk__in=teams).exists()


def _on_owner_side(person, entry: Entry) -> bool:
    return person.pk == entry.owner_person_id or (
        entry.owner_team_id is not None and entry.owner_team_id in member_team_ids(person)
    )


def can_edit(person, entry: Entry) -> bool:
    return can_view(person, entry) and (
        person.pk == entry.author_id or _on_owner_side(person, entry) or person.is_learning_lead
    )


def can_curate(person, entry: Entry) -> bool:
    return can_view(person, entry) and (_on_owner_side(person, entry) or person.is_learning_lead)


def can_accept_answer(person, question: Entry) -> bool:
    """The asker, or the owner side, picks the answer that solved a question."""
    return question.kind == "question" and (
        (can_view(person, question) and person.pk == question.author_id) or can_curate(person, question)
    )


def can_hide_answer(person, question: Entry) -> bool:
    """Curators of the question (owner side, learning leads, admins) may hide an answer, never
    rewrite it: the text under a person's name is only ever theirs."""
    return can_curate(person, question)


def can_read_hidden_answer(person, answer) -> bool:
    """Who still reads a hidden answer's text: its author and those who may hide or restore it."""
    return person.pk == answer.author_id or can_hide_answer(person, answer.question)


def require_view(person, entry: Entry) -> None:
    if not can_view(person, entry):
        raise PermissionDenied(gettext("You can't see this entry."))


def require_edit(person, entry: Entry) -> None:
    if not can_edit(person, entry):
        raise PermissionDenied(gettext("Only the author, the owner, learning leads and admins can edit this entry."))


def require_curate(person, entry: Entry) -> None:
    if not can_curate(person, entry):
        raise PermissionDenied(gettext("Only the owner, learning leads and admins can do that."))


def require_accept_answer(person, question: Entry) -> None:
    if not can_accept_answer(person, question):
        raise PermissionDenied(
            gettext("Only the person who asked, the owner, learning leads and admins can accept an answer.")
        )


def require_edit_answer(person, answer) -> None:
    if person.pk != answer.author_id:
        raise PermissionDenied(
            "Only the author can edit an answer: it shows under their name. Curators and admins can "
            "hide it with a reason instead."
        )


def require_hide_answer(person, question: Entry) -> None:
    if not can_hide_answer(person, question):
        raise PermissionDenied(
            gettext("Only the question's owner, learning leads and admins can hide or restore an answer.")
        )
