"""Who hears about an action: its owner; for an unassigned action, its team's facilitators (or,
without a team, whoever created it). Deactivated people get no email."""

from learnloop.org.membership import facilitators_of


def recipients_for(action) -> list:
    if action.owner_id is not None:
        return [action.owner] if action.owner.is_active else []
    if action.team_id is not None:
        return facilitators_of(action.team_id)
    return [action.created_by] if action.created_by.is_active else []
