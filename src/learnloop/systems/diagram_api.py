"""Causal loop diagrams through the API (/api/v1/systems/diagrams…): the same services and
selectors as the pages."""

from django.urls import reverse
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from learnloop.api_base import Id, Number, Pagination, Shown, request_fields, team_ref
from learnloop.links import registry
from learnloop.systems import diagram_selectors as selectors
from learnloop.systems import diagram_services as services
from learnloop.systems.diagram_api_schemas import (
    SystemsDiagramAttachIn,
    SystemsDiagramCommentIn,
    SystemsDiagramCommentOut,
    SystemsDiagramDataOut,
    SystemsDiagramDetailOut,
    SystemsDiagramIn,
    SystemsDiagramIntervention,
    SystemsDiagramInterventionIn,
    SystemsDiagramOut,
    SystemsDiagramSaveIn,
    SystemsDiagramTarget,
    SystemsDiagramVersionOut,
)
from learnloop.systems.diagram_bindings import bound_series, correlations

router = Router(tags=["systems"])
WARNING = ("Correlation is not causation: two monthly series that both drift move together whatever links them. "
           "Use it to question a link, never to prove one.")


def _content(content) -> dict | None:
    if content is None:
        return None
    data = content.dict()
    for variable in data["variables"]:
        binding = variable.get("binding")
        for optional in ("theme", "scale"):
            if binding and binding.get(optional) is None:
                binding.pop(optional)
    return data


def _summary(diagram) -> dict:
    loops = diagram.analysis.get("loops", {})
    return {"id": diagram.pk, "title": diagram.title, "description": diagram.description,
            "team_id": diagram.team_id, "version": diagram.version, "updated_at": diagram.updated_at,
            "loops": len(loops.get("loops", [])), "reinforcing": loops.get("reinforcing", 0),
            "balancing": loops.get("balancing", 0),
            "archetypes": [match["archetype"] for match in diagram.analysis.get("archetypes", {}).get("matches", [])],
            "url": reverse("systems:diagram", args=[diagram.pk])}


def _target(target) -> dict | None:
    return None if target is None else {"type": target.type, "id": target.id, "title": target.title,
                                        "url": target.url}


def _detail(request, diagram) -> dict:
    return {**_summary(diagram), "content": diagram.content, "analysis": diagram.analysis,
            "attachments": [_target(target) for _, target in selectors.attachments(request.user, diagram)],
            "interventions": [_intervention(row, target) for row, target in
                              selectors.interventions(request.user, diagram)]}


def _intervention(row, target) -> dict:
    return {"id": row.pk, "kind": row.kind, "variable": row.variable, "link_target": row.link_target,
            "description": row.description, "version": row.version, "target": _target(target)}


@router.get("/diagrams", response=list[SystemsDiagramOut],
            summary="Causal loop diagrams you may see, by title, with their loop and archetype counts")
@paginate(Pagination)
def list_diagrams(request):
    return Shown(selectors.diagrams_for(request.user), _summary)


@router.post("/diagrams", response={201: SystemsDiagramDetailOut},
             summary="Start a causal loop diagram (a team's or the organization's); version 1")
def create_diagram(request, payload: SystemsDiagramIn):
    team = None if payload.team_id is None else team_ref(payload.team_id, field="team_id", current=True)
    with request_fields(team="team_id"):
        diagram = services.create_diagram(by=request.user, title=payload.title, description=payload.description,
                                          team=team, content=_content(payload.content))
    return Status(201, _detail(request, diagram))


@router.get("/diagrams/{diagram_id}", response=SystemsDiagramDetailOut,
            summary="One diagram: its model, loops and archetypes, attachments and interventions")
def get_diagram(request, diagram_id: Id):
    return _detail(request, selectors.diagram_for(request.user, diagram_id))


@router.put("/diagrams/{diagram_id}", response=SystemsDiagramDetailOut,
            summary="Save the diagram's model as a new version (loops and archetypes are read again)")
def save_diagram(request, diagram_id: Id, payload: SystemsDiagramSaveIn):
    diagram = selectors.diagram_for(request.user, diagram_id)
    diagram = services.save_diagram(by=request.user, diagram=diagram, content=_content(payload.content),
                                    title=payload.title, description=payload.description, note=payload.note,
                                    base_version=payload.base_version)
    return _detail(request, diagram)


@router.get("/diagrams/{diagram_id}/versions", response=list[SystemsDiagramVersionOut],
            summary="A diagram's versions, newest first (without their models)")
@paginate(Pagination)
def list_versions(request, diagram_id: Id):
    diagram = selectors.diagram_for(request.user, diagram_id)
    return Shown(selectors.version_rows(diagram), lambda row: {
        "number": row.number, "title": row.title, "note": row.note, "saved_by_id": row.saved_by_id,
        "saved_at": row.saved_at})


@router.get("/diagrams/{diagram_id}/versions/{number}", response=SystemsDiagramVersionOut,
            summary="One version of a diagram with its model")
def get_version(request, diagram_id: Id, number: Number):
    row = selectors.version_of(selectors.diagram_for(request.user, diagram_id), number)
    return {"number": row.number, "title": row.title, "note": row.note, "saved_by_id": row.saved_by_id,
            "saved_at": row.saved_at, "content": row.content}


@router.get("/diagrams/{diagram_id}/data", response=SystemsDiagramDataOut,
            summary="Bound variables' monthly values and their correlations (Pearson r, 95% Fisher z interval)")
def diagram_data(request, diagram_id: Id):
    diagram = selectors.diagram_for(request.user, diagram_id)
    months, series = bound_series(request.user, diagram, today=timezone.localdate())
    return {"months": months, "series": [item.as_dict() for item in series], "correlations": correlations(series),
            "warning": WARNING}


@router.get("/diagrams/{diagram_id}/comments", response=list[SystemsDiagramCommentOut],
            summary="Comments on a diagram, oldest first")
@paginate(Pagination)
def list_comments(request, diagram_id: Id):
    diagram = selectors.diagram_for(request.user, diagram_id)
    return Shown(selectors.comment_rows(diagram), _comment)


def _comment(row) -> dict:
    return {"id": row.pk, "text": row.text, "author_id": row.author_id, "version": row.version,
            "created_at": row.created_at}


@router.post("/diagrams/{diagram_id}/comments", response={201: SystemsDiagramCommentOut},
             summary="Comment on a diagram (on its current version)")
def add_comment(request, diagram_id: Id, payload: SystemsDiagramCommentIn):
    diagram = selectors.diagram_for(request.user, diagram_id)
    return Status(201, _comment(services.add_comment(by=request.user, diagram=diagram, text=payload.text)))


@router.post("/diagrams/{diagram_id}/attachments", response={201: SystemsDiagramTarget},
             summary="Attach a diagram to a session (retro, review, postmortem), recurring theme or experiment")
def attach(request, diagram_id: Id, payload: SystemsDiagramAttachIn):
    diagram = selectors.diagram_for(request.user, diagram_id)
    row = services.attach(by=request.user, diagram=diagram, target_type=payload.target_type,
                          target_id=payload.target_id)
    target = registry.resolve(request.user, [(row.target_type, row.target_id)])[(row.target_type, row.target_id)]
    return Status(201, _target(target))


@router.post("/diagrams/{diagram_id}/interventions", response={201: SystemsDiagramIntervention},
             summary="Turn an intervention (a variable or link) into a draft experiment with its hypothesis "
                     "filled in, or an action")
def intervene(request, diagram_id: Id, payload: SystemsDiagramInterventionIn):
    diagram = selectors.diagram_for(request.user, diagram_id)
    team = None if payload.team_id is None else team_ref(payload.team_id, field="team_id", current=True)
    row = services.create_intervention(by=request.user, diagram=diagram, kind=payload.kind,
                                       variable=payload.variable, link_target=payload.link_target,
                                       title=payload.title, description=payload.description, team=team)
    target = registry.resolve(request.user, [(row.target_type, row.target_id)]).get((row.target_type, row.target_id))
    return Status(201, _intervention(row, target))
