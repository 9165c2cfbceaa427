"""Reads for survey pages and the API (results go through reports.py and the disclosure gate)."""

from django.db.models import Count, Q

from learnloop.surveys.models import Campaign, Instrument, Invitation


def instruments():
    return Instrument.objects.prefetch_related("dimensions").order_by("name")


def campaigns():
    return Campaign.objects.select_related("instrument").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded=True), distinct=True),
    ).order_by("-opens_on", "-id")


def participation(campaign: Campaign) -> dict:
    """How many were invited and have answered, overall and per team at launch (who, never what)."""
    rows = (
        Invitation.objects.filter(campaign=campaign)
        .values("team_id", "team__name")
        .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded=True)))
        .order_by("team__name")
    )
    teams = [{"team": row["team__name"] or "No team", "invited": row["invited"], "responded": row["responded"]}
             for row in rows]
    invited = sum(row["invited"] for row in teams)
    responded = sum(row["responded"] for row in teams)
    return {"invited": invited, "responded": responded,
            "rate": round(100 * responded / invited) if invited else 0, "teams": teams}
