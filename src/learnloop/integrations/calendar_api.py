"""API for the signed-in person's calendar feeds: list, make or rotate, remove."""

from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from learnloop.api_base import Pagination, errors
from learnloop.integrations import calendars
from learnloop.integrations.api_schemas import CalendarFeedCreatedOut, CalendarFeedIn, CalendarFeedOut
from learnloop.org.models import Team

router = Router(tags=["calendars"])


def _team(team_id):
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:


        raise Http404("No such team.")
    return team


def _feed(feed) -> dict:
    team = {"id": feed.team.pk, "name": feed.team.name} if feed.team else None
    return {"team": team, "created_at": feed.created_at}


@router.get("", response={200: list[CalendarFeedOut]}, summary="Your calendar feeds (their addresses are not kept)")
@paginate(Pagination)
def list_feeds(request):
    return [_feed(feed) for feed in calendars.feeds_of(request.user)]


@router.post("", response={201: CalendarFeedCreatedOut, **errors(403, 404)},
             summary="Make a calendar address, or a new one for the same calendar (the old one stops)")
def issue_feed(request, payload: CalendarFeedIn):
    team = _team(payload.team_id)
    token = calendars.issue_feed(by=request.user, team=team)
    feed = next(feed for feed in calendars.feeds_of(request.user) if feed.team_id == (team.pk if team else None))
    return Status(201, {**_feed(feed), "url": calendars.feed_url(token)})


@router.delete("", response={204: None, **errors(404)}, summary="Remove a calendar address")
def revoke_feed(request, filters: Query[CalendarFeedIn]):
    if not calendars.revoke_feed(by=request.user, team=_team(filters.team_id)):


        raise Http404("No such calendar address.")
    return Status(204, None)


