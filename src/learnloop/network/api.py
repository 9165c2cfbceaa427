"""The knowledge-flow network through the API (router at /network): the team report and a
person's own view, the same services and rules as the pages (docs/network.md)."""

from datetime import date

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema

from learnloop.api_base import errors
from learnloop.network import services
from learnloop.network.forms import NetworkPeriodForm

router = Router(tags=["network"])


class NetworkTeamOut(Schema):
    id: int = Field(description="The team's id; 0 for the pooled smaller teams")
    name: str
    members: int
    internal: float
    exported: float
    imported: float
    ei_index: float | None = Field(description="Krackhardt's (E − I)/(E + I); null without ties")
    reach: int = Field(description="Other teams that received this team's knowledge")


class NetworkSiloOut(Schema):
    team: str
    exports_none: bool
    imports_none: bool
    ei_index: float | None = Field(description="At most −0.6: at least 80% of the team's ties stay inside it")


class NetworkOverloadedBridgeOut(Schema):
    team: str
    other_teams: list[str] = Field(description="Teams whose ties with `team` all run through the same one person")


class NetworkPairOut(Schema):
    teams: list[str]
    shared_themes: list[str] = Field(description="Distinctive knowledge tags both teams hold (and no tie either way)")
    recurring_themes: list[str] = Field(description="Recurring themes (insights) both teams keep meeting")
    ties: float = Field(description="Weight of the ties between the two teams, both ways")


class NetworkBridgeOut(Schema):
    team: str
    other_team: str


class NetworkQuarterOut(Schema):
    start: date
    end: date
    people: int
    ties: int
    new: int
    lost: int
    cross_team_share: float | None


class NetworkChampionOut(Schema):
    person: str
    teams_reached: int
    betweenness: float


class NetworkBridgePersonOut(Schema):
    person: str
    only_bridge_to: list[str]


class NetworkMapPersonOut(Schema):
    id: str
    name: str
    team: str
    community: int
    degree: int


class NetworkMapTieOut(Schema):
    source: str
    target: str
    weight: float


class NetworkMapOut(Schema):
    nodes: list[NetworkMapPersonOut]
    links: list[NetworkMapTieOut]


class NetworkReportOut(Schema):
    since: date
    until: date
    k: int = Field(description="Disclosure threshold: smaller teams are pooled or left out")
    teams: list[NetworkTeamOut]
    withheld_teams: int
    matrix: list[list[float]] = Field(description="matrix[i][j]: weight from teams[i] to teams[j]")
    silos: list[NetworkSiloOut]
    overloaded_bridges: list[NetworkOverloadedBridgeOut]
    should_talk: list[NetworkPairOut]
    only_bridges: list[NetworkBridgeOut]
    communities: int
    modularity: float
    team_modularity: float
    trend: list[NetworkQuarterOut]
    champions: list[NetworkChampionOut] | None = Field(description="Admins only; null otherwise")
    bridge_people: list[NetworkBridgePersonOut] | None = Field(description="Admins only; null otherwise")
    people_map: NetworkMapOut | None = Field(description="Admins only: the most connected people and their ties")


class NetworkTieOut(Schema):
    person: str
    team: str
    weight: float


class NetworkPersonOut(Schema):
    since: date
    until: date
    gave_to: list[NetworkTieOut]
    learned_from: list[NetworkTieOut]
    teams_reached: int
    betweenness: float
    constraint: float | None
    effective_size: float | None


def _period(since: date | None, until: date | None) -> tuple[date, date]:
    form = NetworkPeriodForm({"since": since or "", "until": until or ""})
    if not form.is_valid():
        raise ValidationError({name: problems[0] for name, problems in form.errors.items()})
    return form.cleaned_data["since"], form.cleaned_data["until"]


@router.get("/report", response={200: NetworkReportOut, **errors(400, 403)},
            summary="Silos, bridges and team × team knowledge flows (learning leads, admins, facilitators)")
def network_report(request, since: date | None = None, until: date | None = None):
    return services.team_report(request.user, *_period(since, until)).__dict__


@router.get("/me", response={200: NetworkPersonOut, **errors(400)},
            summary="Your own ties and network measures (only you, and admins, see them)")
def network_me(request, since: date | None = None, until: date | None = None):
    return services.person_view(request.user, request.user, *_period(since, until))
