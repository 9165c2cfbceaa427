"""API for surveys: instruments, campaigns, responding with a single-use token, and reports.

Reports come only from reports.py, i.e. only groups the disclosure gate released; there is no
endpoint that returns a response, and responding needs no account (the token is the credential).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from learnloop.api_base import (
    EXPORT_OPENAPI,
    ExportFormat,
    Id,
    Pagination,
    Shown,
    errors,
    person_ref,
    request_fields,
)
from learnloop.links.api_schemas import lessons_here
from learnloop.org.models import Organization, Team
from learnloop.surveys import advice, release, reports, selectors, services
from learnloop.surveys.api_schemas import (
    AdviceIn,
    AdviceOut,
    CampaignIn,
    CampaignOut,
    CountOut,
    FocusIn,
    FocusOut,
    InstrumentDetail,
    InstrumentIn,
    InstrumentSummary,
    LaunchIn,
    QuestionsOut,
    ReportNotShownOut,
    ReportOut,
    ResponseIn,
    ThresholdIn,
    ThresholdOut,
    TrendsOut,
)
from learnloop.surveys.attributes import recorded_attributes
from learnloop.surveys.disclosure_gate import ORGANIZATION, GroupKey
from learnloop.surveys.models import Campaign, Instrument
from learnloop.surveys.references import focus_lessons
from learnloop.web.tables import export_response

router = Router(tags=["surveys"])


def _instrument_out(instrument: Instrument) -> dict:
    return {
        "slug": instrument.slug, "name": instrument.name, "description": instrument.description,
        "scale_min": instrument.scale_min, "scale_max": instrument.scale_max, "labels": instrument.labels,
        "source": instrument.source,
        "dimensions": [{"key": d.key, "name": d.name, "barrier": d.barrier} for d in instrument.dimensions.all()],
        "items": [_item_out(item) for item in services.questions_of(instrument)],
    }


def _item_out(item) -> dict:
    return {"key": item.key, "kind": item.kind, "text": item.text, "reverse_keyed": item.reverse_keyed,
            "dimension": item.dimension.key if item.dimension else None}


def _campaign_out(campaign, closing_states: dict | None = None) -> dict:
    closing = (closing_states if closing_states is not None else release.closing_states([campaign])).get(campaign.pk)
    return {
        "id": campaign.pk, "name": campaign.name, "instrument": campaign.instrument.slug, "status": campaign.status,
        "opens_on": campaign.opens_on, "closes_on": campaign.closes_on, "threshold": campaign.threshold,
        "invited": campaign.invited, "responded": campaign.responded, "closing": closing,
        "attributes": [] if campaign.status == "draft" else [
            key for key, _ in recorded_attributes(campaign.generalization)],
    }


def _campaign(campaign_id: int) -> Campaign:
    return get_object_or_404(selectors.campaigns(), pk=campaign_id)


@router.get("/instruments", response=list[InstrumentSummary], summary="List the survey instruments")
@paginate(Pagination)
def list_instruments(request):
    services.install_built_in_instruments()
    return selectors.instruments()


@router.get(
    "/instruments/{slug}", response=InstrumentDetail,
    summary="An instrument with its dimensions, items and YAML",
)
def get_instrument(request, slug: str):
    return _instrument_out(get_object_or_404(Instrument, slug=slug))


@router.post(
    "/instruments", response={201: InstrumentDetail},
    summary="Import an instrument from YAML (or replace an unused one)",
)
def import_instrument(request, payload: InstrumentIn):
    instrument = services.import_instrument(by=request.user, text=payload.source, replace=payload.replace)
    return Status(201, _instrument_out(instrument))


@router.get("/campaigns", response=list[CampaignOut], summary="List campaigns with participation counts")
@paginate(Pagination)
def list_campaigns(request):
    def page(campaigns):
        closing = release.closing_states(campaigns)
        return [_campaign_out(campaign, closing) for campaign in campaigns]

    return Shown(selectors.campaigns(), each_page=page)


@router.post("/campaigns", response={201: CampaignOut}, summary="Create a draft campaign")
def create_campaign(request, payload: CampaignIn):
    instrument = Instrument.objects.filter(slug=payload.instrument).first()
    if instrument is None:
        raise ValidationError({"instrument": f"No instrument with slug {payload.instrument}."})
    teams = list(Team.objects.filter(pk__in=payload.teams))
    if len(teams) != len(set(payload.teams)):
        raise ValidationError({"teams": "Some of these teams don't exist."})
    campaign = services.create_campaign(
        by=request.user, name=payload.name, instrument=instrument, opens_on=payload.opens_on,
        closes_on=payload.closes_on, teams=teams, whole_organization=payload.whole_organization or not teams,
    )
    return Status(201, _campaign_out(_campaign(campaign.pk)))


@router.get("/campaigns/{campaign_id}", response=CampaignOut, summary="A campaign with participation counts")
def get_campaign(request, campaign_id: Id):
    return _campaign_out(_campaign(campaign_id))


@router.post(
    "/campaigns/{campaign_id}/launch", response=CountOut,
    summary="Launch: fix the audience and cuts, and invite everyone",
)
def launch(request, campaign_id: Id, payload: LaunchIn | None = None):
    chosen = payload.attributes if payload is not None else None
    return {"count": services.launch_campaign(by=request.user, campaign=_campaign(campaign_id),
                                              attributes_to_record=chosen)}


@router.post("/campaigns/{campaign_id}/remind", response=CountOut, summary="Remind everyone who has not answered")
def remind(request, campaign_id: Id):
    return {"count": services.send_reminders(by=request.user, campaign=_campaign(campaign_id))}


@router.post(
    "/campaigns/{campaign_id}/close", response=CampaignOut,
    summary="Close: stop answers now and queue the decision of what may be shown",
)
def close(request, campaign_id: Id):
    """Returns at once with status "closing"; the campaign becomes "closed", with its report,
    once the background worker has decided what may be shown (poll the campaign)."""
    services.begin_closing_campaign(by=request.user, campaign=_campaign(campaign_id))
    return _campaign_out(_campaign(campaign_id))


@router.get("/respond/{token}", response={200: QuestionsOut, **errors(400)}, auth=None,
    summary="The questions behind a single-use link")
def questions(request, token: str):
    invitation = services.invitation_for_token(token)
    campaign, instrument = invitation.campaign, invitation.campaign.instrument
    return {
        "campaign": campaign.name, "closes_on": campaign.closes_on, "scale_min": instrument.scale_min,
        "scale_max": instrument.scale_max, "labels": instrument.labels,
        "items": [_item_out(item) for item in services.questions_of(instrument)],
    }


@router.post(
    "/respond/{token}", response={204: None}, auth=None,
    summary="Answer through a single-use link (no account needed)",
)
def respond(request, token: str, payload: ResponseIn):
    services.submit_response(token=token, answers=payload.answers, comment=payload.comment)
    return Status(204, None)


@router.get(
    "/campaigns/{campaign_id}/report", response=ReportOut | ReportNotShownOut,
    summary="Results the disclosure gate released that you may see",
)
def report(request, campaign_id: Id, group: str = ORGANIZATION):
    """The campaign's results as far as the disclosure gate and your visibility allow."""
    campaign = _campaign(campaign_id)
    report = reports.CampaignReport(campaign, request.user)
    if report.not_shown_reason:
        return {"campaign": campaign.pk, "shown": False, "reason": report.not_shown_reason}
    key = GroupKey.parse(group)
    chosen = report.detail(key)
    return {
        "campaign": campaign.pk, "shown": True, "threshold": campaign.threshold,
        "heatmap": report.heatmap(),
        "group": chosen,
        "group_reason": "" if chosen else "This group is withheld or not part of what you may see.",
        "breakdowns": report.breakdowns(key.node),
        "comments": report.comments(key.node),
    }


@router.get("/campaigns/{campaign_id}/report/export", response={200: None, **errors(409)},
            openapi_extra=EXPORT_OPENAPI, summary="The report's released figures you may see, as a CSV or JSON file")
def export_report(request, campaign_id: Id, format: ExportFormat = "csv"):
    """One row per released group you may see and dimension (mean, interval, n, eNPS): the
    figures the disclosure gate released, nothing withheld, no comments. 409 with the reason
    while the report isn't shown. See docs/exports.md."""
    campaign = _campaign(campaign_id)
    report = reports.CampaignReport(campaign, request.user)
    if report.not_shown_reason:
        raise HttpError(409, report.not_shown_reason)
    return export_response(fmt=format, filename=f"survey-{campaign.pk}-report", columns=reports.EXPORT_COLUMNS,
                           rows=reports.export_rows(report))


@router.get("/trends", response=TrendsOut, summary="A team's dimension scores across closed campaigns")
def trends(request, team: str = ORGANIZATION):
    data = reports.trends(team, viewer=request.user)
    return {
        "dimensions": data["dimensions"],
        "campaigns": [
            {"id": point["campaign"].pk, "name": point["campaign"].name, "scores": point["scores"],
             "reason": point["reason"]}
            for point in data["points"]
        ],
        "focus_areas": [{"campaign": f.campaign_id, **_focus_out(f), **lessons_here(f.lessons_here)}
                        for f in focus_lessons(data["focus"], viewer=request.user)],
    }


@router.post(
    "/campaigns/{campaign_id}/focus-areas", response={201: FocusOut},
    summary="Pick a focus area; it becomes a team action",
)
def choose_focus(request, campaign_id: Id, payload: FocusIn):
    campaign = _campaign(campaign_id)
    team = Team.objects.filter(pk=payload.team).first()
    if team is None:
        raise ValidationError({"team": "No such team."})
    owner = person_ref(payload.owner, field="owner")
    with request_fields(dimension_key="dimension"):
        focus = services.choose_focus_area(
            by=request.user, campaign=campaign, team=team, dimension_key=payload.dimension, owner=owner,
            title=payload.title, due_on=payload.due_on,
        )
    return Status(201, _focus_out(focus))


def _focus_out(focus) -> dict:
    return {
        "id": focus.pk, "team": focus.team_id, "dimension": focus.dimension_key, "action": focus.action_id,
        "owner": focus.owner_id,
        "remeasures": [{"campaign": r.campaign_id, "campaign_name": r.campaign.name, "before": r.before,
                        "after": r.after, "change": r.change} for r in focus.remeasures.all()],
    }


@router.get("/threshold", response=ThresholdOut, summary="The organization's anonymity threshold k")
def get_threshold(request):
    return {"k": Organization.current().anonymity_threshold}


@router.put("/threshold", response=ThresholdOut, summary="Change k (admins; never lowered once surveys have responses)")
def set_threshold(request, payload: ThresholdIn):
    return {"k": services.set_anonymity_threshold(by=request.user, k=payload.k).anonymity_threshold}


# --- named advice questions (surveys/advice.py): the invitee's own answers only ----------------------------


def _advice_out(person, campaign) -> dict:
    return {"questions": [{"key": item.key, "text": item.text} for item in advice.advice_items(campaign)],
            "answers": advice.own_answers(person, campaign)}


@router.get("/campaigns/{campaign_id}/advice", response={200: AdviceOut, **errors(403)},
            summary="Your own answers to the survey's named advice questions (invitees only)")
def get_advice(request, campaign_id: Id):
    return _advice_out(request.user, _campaign(campaign_id))


@router.put("/campaigns/{campaign_id}/advice", response={200: AdviceOut, **errors(400, 403)},
            summary="Name the colleagues you go to for advice (with consent), or withdraw your answers")
def put_advice(request, campaign_id: Id, payload: AdviceIn):
    campaign = _campaign(campaign_id)
    advice.save_answers(by=request.user, campaign=campaign, answers=payload.answers, consent=payload.consent)
    return _advice_out(request.user, campaign)
