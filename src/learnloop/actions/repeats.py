"""Repeats: the same action agreed again. Finding earlier actions that say what a new title says
(while it is typed, and in the API's create answer), linking a new action to the earlier one
("this is the same as #123"), and the clusters a team or the organization keeps agreeing.

The text comparison is learnloop.analytics.repeats (pure); this module picks the candidates the
viewer may see, loads them with their outcomes and counts. Candidates are the viewer's visible
actions only (permissions.visible_q): another team's actions appear for those who may see them
(learning leads, people in both teams), never as a title or a count to anyone else, because a
postmortem's follow-ups can be sensitive and a count would say one exists.

Why a link and not "reopen the old one": reopening clears the earlier action's answer to "did it
work?" (services.reopen_action), and that answer is the evidence a repeat questions ("it worked,
yet here it is again"). A link keeps both histories and makes the repeat countable. When the
earlier action is still open, the warning offers to go to it instead of creating anything.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions import permissions
from learnloop.actions.models import ACTIVE_STATUSES, Action, Effect, Status
from learnloop.activity.services import record_activity
from learnloop.analytics import repeats as detector
from learnloop.org.membership import is_active_person

# The most recent actions compared with a typed title; older ones are not looked at (cost per keystroke).
MAX_CANDIDATES = 5_000
MAX_SHOWN = 5
RELATED = ("owner", "team", "created_by")


@dataclass
class Outcomes:
    """What became of a set of actions agreed for the same thing."""

    times: int = 0
    first_agreed: datetime | None = None
    last_agreed: datetime | None = None
    worked: int = 0
    did_not_work: int = 0
    unknown: int = 0
    still_open: int = 0
    not_doing: int = 0
    check_pending: int = 0
    teams: list = field(default_factory=list)

    @classmethod
    def of(cls, actions) -> "Outcomes":
        actions = list(actions)
        effects = Counter(action.effect for action in actions)
        teams = []
        for action in sorted(actions, key=lambda action: action.created_at):
            if action.team is not None and action.team not in teams:
                teams.append(action.team)
        return cls(
            times=len(actions),
            first_agreed=min((action.created_at for action in actions), default=None),
            last_agreed=max((action.created_at for action in actions), default=None),
            worked=effects[Effect.WORKED],
            did_not_work=effects[Effect.DID_NOT_WORK],
            unknown=effects[Effect.UNKNOWN],
            still_open=sum(1 for action in actions if action.status in ACTIVE_STATUSES),
            not_doing=sum(1 for action in actions if action.status == Status.NOT_DOING),
            check_pending=sum(1 for action in actions if action.check_pending),
            teams=teams,
        )


@dataclass
class Match:
    action: Action
    similarity: float
    same_team: bool


@dataclass
class EarlierActions:
    matches: list[Match]
    outcomes: Outcomes

    @property
    def open_matches(self) -> list[Match]:
        return [match for match in self.matches if match.action.status in ACTIVE_STATUSES]


def _candidates(viewer, *, exclude_id: int | None):
    rows = Action.objects.filter(permissions.visible_q(viewer))
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    return list(rows.order_by("-created_at", "-id").values_list("id", "title", "team_id")[:MAX_CANDIDATES])


def earlier_actions(*, viewer, title: str, team=None, exclude_id: int | None = None,
                    limit: int = MAX_SHOWN) -> EarlierActions:
    """Earlier actions the viewer may see that say what `title` says: the team's own first, then
    other teams', most similar first; with what became of all of them."""
    title = " ".join(str(title or "").split())[:300]
    if not is_active_person(viewer) or len(title) < 3:
        return EarlierActions([], Outcomes())
    rows = _candidates(viewer, exclude_id=exclude_id)
    found = detector.similar_titles(title, [row[1] for row in rows])
    if not found:
        return EarlierActions([], Outcomes())
    team_id = getattr(team, "pk", team)
    scores = {rows[index][0]: score for index, score in found}
    loaded = Action.objects.filter(pk__in=scores).select_related(*RELATED)
    matches = [Match(action, scores[action.pk], team_id is not None and action.team_id == team_id) for action in loaded]
    matches.sort(key=lambda match: (not match.same_team, -match.similarity, -match.action.created_at.timestamp(),
                                    -match.action.pk))
    return EarlierActions(matches[:limit], Outcomes.of(match.action for match in matches))


# --- linking -------------------------------------------------------------------------------------


def check_repeat_of(by, repeat_of, *, action: Action | None = None) -> None:
    """A repeat link points at an action its author may see, and never at itself or a later one."""
    if repeat_of is None:
        return
    if not permissions.can_view(by, repeat_of):
        raise ValidationError({"repeat_of": gettext("No earlier action with this id that you can see.")})
    if action is not None and action.pk is not None:
        if repeat_of.pk == action.pk:
            raise ValidationError({"repeat_of": gettext("An action can't be a repeat of itself.")})
        if (repeat_of.created_at, repeat_of.pk) > (action.created_at, action.pk):
            raise ValidationError({"repeat_of": gettext("Link to an earlier action: this one was agreed before it.")})


def resolve_repeat_of(by, repeat_of_id) -> Action | None:
    """The action an id names, for a repeat link; a ValidationError naming repeat_of when the
    viewer can't see it (an unknown id and a hidden one answer the same)."""
    if repeat_of_id in (None, ""):
        return None
    action = Action.objects.select_related("team").filter(pk=repeat_of_id).first()
    if action is None or not permissions.can_view(by, action):
        raise ValidationError({"repeat_of": gettext("No earlier action with this id that you can see.")})
    return action


def mark_repeat(*, by, action: Action, repeat_of: Action | None, at: datetime | None = None) -> Action:
    """Say that `action` agrees again what `repeat_of` agreed (None: it doesn't, after all)."""
    if not (by and by.is_authenticated and by.is_active):
        raise ValidationError(gettext("Actions are changed by an active, signed-in person."))
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        permissions.require_change(by, current)
        check_repeat_of(by, repeat_of, action=current)
        if current.repeat_of_id == getattr(repeat_of, "pk", None):
            return current
        current.repeat_of = repeat_of
        current.updated_at = at or timezone.now()
        current.save(update_fields=["repeat_of", "updated_at"])
        record_activity(verb="marked_repeat", subject=current, actor=by, team=current.team,
                        data={"repeat_of": getattr(repeat_of, "pk", None)}, at=at or timezone.now())
    action.repeat_of, action.updated_at = current.repeat_of, current.updated_at
    return action


# --- clusters: agreed again and again -----------------------------------------------------------


@dataclass
class RepeatCluster:
    actions: list[Action]  # oldest first
    outcomes: Outcomes
    linked: int  # how many of them were linked by their authors ("same as #…")

    @property
    def title(self) -> str:
        return self.actions[-1].title

    @property
    def worked_yet_repeated(self) -> bool:
        """Marked worked, then agreed again later: it did not stick."""
        first_worked = min((a.checked_at for a in self.actions if a.effect == Effect.WORKED and a.checked_at),
                           default=None)
        return first_worked is not None and any(a.created_at > first_worked for a in self.actions)


def repeat_clusters(*, viewer, team=None) -> list[RepeatCluster]:
    """Groups of actions the viewer may see that say the same thing (by text, or linked by their
    authors), the team's only when `team` is given; largest first. Three queries whatever the size."""
    rows = Action.objects.filter(permissions.visible_q(viewer))
    if team is not None:
        rows = rows.filter(team=team)
    rows = list(rows.order_by("created_at", "id").values_list("id", "title", "repeat_of_id"))
    position = {row[0]: index for index, row in enumerate(rows)}
    links = [(position[row[0]], position[row[2]]) for row in rows if row[2] in position]
    clusters = detector.repeat_clusters([row[1] for row in rows], links=links)
    wanted = {rows[index][0] for cluster in clusters for index in cluster.members}
    loaded = {action.pk: action for action in Action.objects.filter(pk__in=wanted).select_related(*RELATED)}
    result = []
    for cluster in clusters:
        members = [loaded[rows[index][0]] for index in cluster.members if rows[index][0] in loaded]
        if len(members) < 2:
            continue
        members.sort(key=lambda action: (action.created_at, action.pk))
        result.append(RepeatCluster(members, Outcomes.of(members),
                                    linked=sum(1 for action in members if action.repeat_of_id)))
    result.sort(key=lambda cluster: (-len(cluster.actions), -cluster.outcomes.last_agreed.timestamp()))
    return result


@dataclass(frozen=True)
class RepeatRate:
    actions: int
    repeating: int  # actions in a group of two or more
    groups: int

    @property
    def share(self) -> float:
        return self.repeating / self.actions if self.actions else 0.0


def exact_title_repeats(rows) -> RepeatRate:
    """(team id, title) rows: actions repeating a title their own team agreed, the issue's measure."""
    rows = list(rows)
    counts = Counter(rows)
    repeated = {key: count for key, count in counts.items() if count > 1}
    return RepeatRate(len(rows), sum(repeated.values()), len(repeated))


def detected_repeats(rows) -> RepeatRate:
    """(team id, title) rows: actions in a same-team cluster found by the detector."""
    by_team: dict = {}
    for team_id, title in rows:
        by_team.setdefault(team_id, []).append(title)
    total = repeating = groups = 0
    for titles in by_team.values():
        total += len(titles)
        clusters = detector.repeat_clusters(titles)
        groups += len(clusters)
        repeating += sum(len(cluster.members) for cluster in clusters)
    return RepeatRate(total, repeating, groups)
