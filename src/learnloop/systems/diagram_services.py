"""Changing causal loop diagrams: the one place the pages and the API write through.

Every save cleans the content (diagram_content), recomputes the loops and archetypes, writes a new
numbered version and moves the diagram to it; the editor's save, each table-view form (add or
remove a variable or link, bind a variable) and restoring an old version are all saves. A save
that names the version it started from is refused when someone saved since, so nobody's work is
silently overwritten.
"""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from learnloop.actions.services import create_action
from learnloop.analytics.systems.analysis import analyse
from learnloop.analytics.systems.graph import ModelError
from learnloop.experiments.models import Design, Kind
from learnloop.experiments.services import register_experiment
from learnloop.links import registry
from learnloop.org.models import Team
from learnloop.systems.diagram_bindings import clean_binding
from learnloop.systems.diagram_models import (
    Diagram,
    DiagramAttachment,
    DiagramComment,
    DiagramIntervention,
    DiagramVersion,
    InterventionKind,
)
from learnloop.systems.diagram_permissions import can_comment, can_create, can_edit, can_view, require

MAX_VARIABLES = 1_000
MAX_LINKS = 5_000
MAX_NAME = 120
# What a diagram may be attached to: reflection sessions (retros, reviews, postmortems), recurring
# themes and experiments.
ATTACHABLE = ("reflection.session", "insights.theme", "experiments.experiment")
DIAGRAM_TYPE = "systems.diagram"
VARIABLE_KEYS = {"name", "x", "y", "binding"}
LINK_KEYS = {"source", "target", "polarity", "delay"}
POLARITIES = {"+": "+", "-": "-", "−": "-"}


def _text(value, *, field: str, limit: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if field != "description" else str(value or "").strip()
    if required and not text:
        raise ValidationError({field: "This field is required."})
    if len(text) > limit:
        raise ValidationError({field: f"At most {limit} characters."})
    return text


def _coordinate(value, name: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError({"content": f"The position of “{name}” is not a number."})
    return round(float(value), 1)


def diagram_content(content) -> tuple[dict, dict]:
    """(the cleaned content, its loops and archetypes), or a ValidationError on "content" naming
    what is wrong."""
    if not isinstance(content, dict) or set(content) - {"variables", "links"}:
        raise ValidationError({"content": gettext("A diagram is an object with only \"variables\" and \"links\".")})
    variables, links = content.get("variables") or [], content.get("links") or []
    if not isinstance(variables, list) or not isinstance(links, list):
        raise ValidationError({"content": gettext("\"variables\" and \"links\" are lists.")})
    if len(variables) > MAX_VARIABLES or len(links) > MAX_LINKS:
        raise ValidationError({"content": f"At most {MAX_VARIABLES} variables and {MAX_LINKS} links."})
    clean_variables = []
    for item in variables:
        item = {"name": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or set(item) - VARIABLE_KEYS:
            raise ValidationError({"content": f"A variable has only {', '.join(sorted(VARIABLE_KEYS))}."})
        name = " ".join(str(item.get("name") or "").split())
        if not name or len(name) > MAX_NAME:
            raise ValidationError({"content": f"Every variable needs a name of at most {MAX_NAME} characters."})
        clean_variables.append({"name": name, "x": _coordinate(item.get("x"), name),
                                "y": _coordinate(item.get("y"), name),
                                "binding": clean_binding(item.get("binding"), name)})
    clean_links = []
    for item in links:
        if not isinstance(item, dict) or set(item) - LINK_KEYS:
            raise ValidationError({"content": f"A link has only {', '.join(sorted(LINK_KEYS))}."})
        polarity = POLARITIES.get(str(item.get("polarity", "+")).strip())
        if polarity is None:
            raise ValidationError({"content": f"A link's polarity is + or -, not {str(item.get('polarity'))[:10]!r}."})
        if not isinstance(item.get("delay", False), bool):
            raise ValidationError({"content": gettext("A link's delay is true or false.")})
        clean_links.append({"source": " ".join(str(item.get("source") or "").split()),
                            "target": " ".join(str(item.get("target") or "").split()),
                            "polarity": polarity, "delay": bool(item.get("delay", False))})
    cleaned = {"variables": clean_variables, "links": clean_links}
    try:
        analysis = analyse(cleaned)
    except ModelError as error:
        raise ValidationError({"content": str(error)}) from None
    return cleaned, analysis


def _team(team):
    if team is not None and (not isinstance(team, Team) or team.archived_at is not None):
        raise ValidationError({"team": gettext("Choose an active team, or none for the organization.")})
    return team


def create_diagram(*, by, title: str, team=None, description: str = "", content=None, at=None) -> Diagram:
    require(can_create(by, _team(team)), "You may not draw a diagram for this team."
            if team is not None else "Organization-wide diagrams are drawn by learning leads and admins.")
    title = _text(title, field="title", limit=200)
    description = _text(description, field="description", limit=5000, required=False)
    cleaned, analysis = diagram_content(content if content is not None else {"variables": [], "links": []})
    now = at or timezone.now()
    with transaction.atomic():
        diagram = Diagram.objects.create(title=title, description=description, team=team, created_by=by,
                                         created_at=now, updated_at=now, version=1, content=cleaned,
                                         analysis=analysis)
        DiagramVersion.objects.create(diagram=diagram, number=1, title=title, content=cleaned, saved_by=by,
                                      saved_at=now, note=gettext("Created"))
    return diagram


def save_diagram(*, by, diagram: Diagram, content, title: str | None = None, description: str | None = None,
                 note: str = "", base_version: int | None = None, at=None) -> Diagram:
    """A new version with this content (and title, description when given)."""
    require(can_edit(by, diagram), "You may not change this diagram.")
    cleaned, analysis = diagram_content(content)
    note = _text(note, field="note", limit=300, required=False)
    now = at or timezone.now()
    with transaction.atomic():
        current = Diagram.objects.select_for_update().get(pk=diagram.pk)
        if base_version is not None and base_version != current.version:
            raise ValidationError(f"Someone saved version {current.version} since you opened version "
                                  f"{base_version}: your drawing is kept here; open the diagram again in another "
                                  "tab to see theirs, then save yours again.", code="conflict")
        if title is not None:
            current.title = _text(title, field="title", limit=200)
        if description is not None:
            current.description = _text(description, field="description", limit=5000, required=False)
        current.version += 1
        current.content, current.analysis, current.updated_at = cleaned, analysis, now
        current.save(update_fields=["title", "description", "version", "content", "analysis", "updated_at"])
        DiagramVersion.objects.create(diagram=current, number=current.version, title=current.title,
                                      content=cleaned, saved_by=by, saved_at=now, note=note)
    diagram.refresh_from_db()
    return diagram


def _edited(diagram: Diagram) -> dict:
    return {"variables": [dict(item) for item in diagram.content.get("variables", [])],
            "links": [dict(item) for item in diagram.content.get("links", [])]}


def _names(content: dict) -> list[str]:
    return [item["name"] for item in content["variables"]]


def add_variable(*, by, diagram: Diagram, name: str) -> Diagram:
    content = _edited(diagram)
    name = _text(name, field="name", limit=MAX_NAME)
    if name in _names(content):
        raise ValidationError({"name": f"The diagram already has a variable “{name}”."})
    content["variables"].append({"name": name, "x": None, "y": None, "binding": None})
    return save_diagram(by=by, diagram=diagram, content=content,
                        note=gettext("Added variable “%(name)s”") % {"name": name})


def remove_variable(*, by, diagram: Diagram, name: str) -> Diagram:
    content = _edited(diagram)
    if name not in _names(content):
        raise ValidationError({"name": gettext("No variable of that name in the diagram.")})
    content["variables"] = [item for item in content["variables"] if item["name"] != name]
    content["links"] = [item for item in content["links"] if name not in (item["source"], item["target"])]
    return save_diagram(by=by, diagram=diagram, content=content,
                        note=gettext("Removed variable “%(name)s” and its links") % {"name": name})


def add_link(*, by, diagram: Diagram, source: str, target: str, polarity: str, delay: bool = False) -> Diagram:
    content = _edited(diagram)
    names = _names(content)
    for field, value in (("source", source), ("target", target)):
        if value not in names:
            raise ValidationError({field: "Choose a variable of the diagram."})
    if any(item["source"] == source and item["target"] == target for item in content["links"]):
        raise ValidationError({"target": f"There is already a link from “{source}” to “{target}”."})
    if polarity not in POLARITIES:
        raise ValidationError({"polarity": gettext("A link's polarity is + or -.")})
    content["links"].append({"source": source, "target": target, "polarity": POLARITIES[polarity],
                             "delay": bool(delay)})
    sign = POLARITIES[polarity]
    return save_diagram(by=by, diagram=diagram, content=content,
                        note=(gettext("Linked “%(source)s” → “%(target)s” (%(sign)s, delayed)") if delay
                              else gettext("Linked “%(source)s” → “%(target)s” (%(sign)s)")) % {
                            "source": source, "target": target, "sign": sign})


def remove_link(*, by, diagram: Diagram, source: str, target: str) -> Diagram:
    content = _edited(diagram)
    kept = [item for item in content["links"] if not (item["source"] == source and item["target"] == target)]
    if len(kept) == len(content["links"]):
        raise ValidationError({"link": gettext("No such link in the diagram.")})
    content["links"] = kept
    return save_diagram(by=by, diagram=diagram, content=content,
                        note=gettext("Removed the link “%(source)s” → “%(target)s”") % {
                            "source": source, "target": target})


def bind_variable(*, by, diagram: Diagram, name: str, binding) -> Diagram:
    """Bind a variable to a platform metric (binding None: unbind)."""
    content = _edited(diagram)
    for item in content["variables"]:
        if item["name"] == name:
            item["binding"] = clean_binding(binding, name, field="metric")
            break
    else:
        raise ValidationError({"name": gettext("No variable of that name in the diagram.")})
    note = gettext("Unbound “%(name)s”") if binding is None else gettext("Bound “%(name)s”")
    return save_diagram(by=by, diagram=diagram, content=content, note=note % {"name": name})


def restore_version(*, by, diagram: Diagram, number: int) -> Diagram:
    old = DiagramVersion.objects.filter(diagram=diagram, number=number).first()
    if old is None:
        raise ValidationError({"number": gettext("No such version.")})
    return save_diagram(by=by, diagram=diagram, content=old.content, title=old.title,
                        note=gettext("Restored version %(number)s") % {"number": number})


def add_comment(*, by, diagram: Diagram, text: str, at=None) -> DiagramComment:
    require(can_comment(by, diagram), "You may not comment on this diagram.")
    text = _text(text, field="text", limit=5000)
    return DiagramComment.objects.create(diagram=diagram, author=by, text=text, version=diagram.version,
                                         created_at=at or timezone.now())


def attach(*, by, diagram: Diagram, target_type: str, target_id) -> DiagramAttachment:
    require(can_edit(by, diagram), "You may not change this diagram.")
    if str(target_type or "").strip() not in ATTACHABLE:
        raise ValidationError({"target_type": f"A diagram is attached to one of: {', '.join(ATTACHABLE)}."})
    target = registry.clean_reference(by, type_key=target_type, object_id=target_id, type_field="target_type",
                                      id_field="target_id")
    attachment, _ = DiagramAttachment.objects.get_or_create(
        diagram=diagram, target_type=target.type, target_id=target.id, defaults={"added_by": by})
    return attachment


def detach(*, by, attachment: DiagramAttachment) -> None:
    require(can_edit(by, attachment.diagram), "You may not change this diagram.")
    attachment.delete()


def _intervention_point(diagram: Diagram, variable: str, link_target: str) -> str:
    names = _names(_edited(diagram))
    if variable not in names:
        raise ValidationError({"variable": gettext("Choose a variable of the diagram.")})
    if link_target:
        if not any(item["source"] == variable and item["target"] == link_target
                   for item in diagram.content.get("links", [])):
            raise ValidationError({"link_target": f"There is no link from “{variable}” to “{link_target}”."})
        return f"the link “{variable}” → “{link_target}”"
    return f"“{variable}”"


def hypothesis(diagram: Diagram, variable: str, link_target: str = "", change: str = "") -> dict:
    """The pre-filled experiment protocol for an intervention at this point of the diagram."""
    point = _intervention_point(diagram, variable, link_target)
    loops = [loop for loop in diagram.analysis.get("loops", {}).get("loops", [])
             if variable in loop["variables"] and (not link_target or link_target in loop["variables"])]
    loop_words = ", ".join(f"{loop['label']} ({loop['polarity']})" for loop in loops[:4]) or "no loop"
    bound = next((item.get("binding") for item in diagram.content.get("variables", [])
                  if item["name"] == variable), None)
    return {
        "title": f"Intervene on {variable}"[:200],
        "change": (change or f"Intervene on {point} of the causal loop diagram “{diagram.title}”")[:2000],
        "effect": (f"Changing {point} shifts the feedback it takes part in ({loop_words}) and so "
                   f"what the causal loop diagram “{diagram.title}” says depends on it.")[:2000],
        "success_metric": (bound or {}).get("metric") or variable,
    }


def create_intervention(*, by, diagram: Diagram, kind: str, variable: str, link_target: str = "",
                        description: str = "", team=None, title: str = "", at=None) -> DiagramIntervention:
    """An intervention becomes a draft experiment (pre-filled hypothesis, registered for the team)
    or an action (its source is the diagram); the diagram lists it and links to it."""
    require(can_view(by, diagram), "You may not see this diagram.")
    if kind not in InterventionKind.values:
        raise ValidationError({"kind": gettext("An intervention becomes an experiment or an action.")})
    description = _text(description, field="description", limit=2000, required=False)
    prefilled = hypothesis(diagram, variable, link_target, change=description)
    title = _text(title or prefilled["title"], field="title", limit=200)
    team = team if team is not None else diagram.team
    now = at or timezone.now()
    with transaction.atomic():
        if kind == InterventionKind.EXPERIMENT:
            experiment = register_experiment(
                by=by, team=team, title=title, change=prefilled["change"], effect=prefilled["effect"],
                population=f"The work {team.name if team else 'the organization'} does around {variable}",
                success_metric=prefilled["success_metric"], expected_delta="To be agreed before it starts",
                variants=["Today", "With the intervention"], primary_metric={"name": prefilled["success_metric"]},
                kind=Kind.PROCESS, design=Design.BEFORE_AFTER, at=now)
            target_type, target_id = "experiments.experiment", str(experiment.pk)
            DiagramAttachment.objects.get_or_create(diagram=diagram, target_type=target_type, target_id=target_id,
                                                    defaults={"added_by": by, "added_at": now})
        else:
            action = create_action(by=by, title=title, team=team, description=prefilled["change"],
                                   source_type=DIAGRAM_TYPE, source_id=str(diagram.pk), at=now)
            target_type, target_id = "actions.action", str(action.pk)
        return DiagramIntervention.objects.create(
            diagram=diagram, variable=variable, link_target=link_target, description=description, kind=kind,
            target_type=target_type, target_id=target_id, version=diagram.version, created_by=by, created_at=now)
