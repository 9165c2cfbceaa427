"""Who hears about an action: its owner; for an unassigned action, its team's facilitators (or,
without a team, whoever created it). Deactivated people get no email."""

from learnloop.org.models import Membership, TeamRole


def recipients_for(action) -> list:
    if action.owner_id is not None:
        return [action.owner] if action.owner.is_active else []
    if action.team_id is not None:
        leads = Membership.objects.filter(
            team_id=action.team_id, role=TeamRole.FACILITATOR, person__is_active=True
        ).select_related("person")
        return [membership.person for membership in leads]
    return [action.created_by] if action.created_by.is_active else []
