"""Team chat channels through the API (chat.py decides; docs/integrations.md#chat-notifications)."""

from datetime import datetime

from django.http import Http404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from learnloop.api_base import Id, InputSchema, Pagination, TeamRef, errors, team_ref
from learnloop.integrations import chat

router = Router(tags=["chat-channels"])


class ChatChannelOut(Schema):
    id: int
    team: TeamRef
    kind: str
    host: str
    events: list[str]
    is_active: bool
    last_status: str
    last_sent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_host(channel):
        return chat.host_of(channel)  # the URL's path is the channel's secret: never sent back


class ChatChannelIn(InputSchema):
    team_id: int
    kind: str
    url: str
    events: list[str]


class ChatChannelTestOut(Schema):
    delivered: bool
    last_status: str


def _channel(request, channel_id: int):
    channel = chat.channels_for(request.user).filter(pk=channel_id).first()
    if channel is None:
        raise Http404("No such chat channel, or not one of a team you lead.")
    return channel


@router.get("", response=list[ChatChannelOut], summary="Chat channels of the teams I lead (every team's for admins)")
@paginate(Pagination)
def list_channels(request):
    return chat.channels_for(request.user)


@router.post("", response={201: ChatChannelOut, **errors(400, 403)},
             summary="Connect a team's Slack, Teams or Mattermost incoming webhook (the team's leads, admins)")
def connect_channel(request, payload: ChatChannelIn):
    team = team_ref(payload.team_id, field="team_id", current=True)
    channel = chat.connect(by=request.user, team=team, kind=payload.kind, url=payload.url, events=payload.events)
    return Status(201, channel)


@router.delete("/{channel_id}", response={204: None, **errors(404)}, summary="Disconnect a chat channel")
def disconnect_channel(request, channel_id: Id):
    chat.disconnect(by=request.user, channel=_channel(request, channel_id))
    return Status(204, None)


@router.post("/{channel_id}/test", response={200: ChatChannelTestOut, **errors(404)},
             summary="Send a test message now (switches a channel on again if it gets through)")
def test_channel(request, channel_id: Id):
    channel = _channel(request, channel_id)
    delivered = chat.send_test(by=request.user, channel=channel)
    channel.refresh_from_db()
    return {"delivered": delivered, "last_status": channel.last_status}
