"""What the org module shows on the home page."""

from django.db.models import Count, Q

from learnloop.org.models import Membership, Organization, Person, Team, TeamKind


def my_teams(request):
    teams = (
        # A subquery, not a join: filtering on memberships__person would make the count below
        # reuse that join and count only the viewer's own membership.
        Team.objects.filter(
            pk__in=Membership.objects.filter(person=request.user).values("team_id"),
            archived_at__isnull=True,
        )
        .annotate(member_count=Count("memberships", filter=Q(memberships__person__is_active=True)))
        .select_related("parent")
        .order_by("name")
    )
    return {"teams": list(teams)}


def organization(request):
    return {
        "organization": Organization.current(),
        "people": Person.objects.filter(is_active=True).count(),
        "teams": Team.objects.filter(kind=TeamKind.TEAM, archived_at__isnull=True).count(),
        "departments": Team.objects.filter(kind=TeamKind.DEPARTMENT, archived_at__isnull=True).count(),
    }
