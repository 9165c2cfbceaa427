"""Reading causal loop diagrams for a viewer: lists, one diagram with what hangs on it, versions."""

from django.db.models import Count
from django.http import Http404

from learnloop.links import registry
from learnloop.systems.diagram_models import Diagram, DiagramVersion
from learnloop.systems.diagram_permissions import visible_q


def diagrams_for(viewer):
    """The diagrams the viewer may open, with their team and comment count (one query)."""
    return (Diagram.objects.filter(visible_q(viewer)).select_related("team")
            .annotate(comment_count=Count("comments")).order_by("title", "pk"))


def diagram_for(viewer, diagram_id: int) -> Diagram:
    """The diagram, or Http404 when it does not exist or the viewer may not see it (the same answer)."""
    diagram = Diagram.objects.filter(visible_q(viewer), pk=diagram_id).select_related("team", "created_by").first()
    if diagram is None:
        raise Http404("No such diagram.")
    return diagram


def version_of(diagram: Diagram, number: int) -> DiagramVersion:
    version = DiagramVersion.objects.filter(diagram=diagram, number=number).select_related("saved_by").first()
    if version is None:
        raise Http404("No such version.")
    return version


def version_rows(diagram: Diagram):
    """The versions as a queryset (the API pages through it), newest first."""
    return diagram.versions.select_related("saved_by").only(
        "number", "title", "note", "saved_at", "saved_by__id", "saved_by__full_name", "saved_by__email", "diagram_id")


def versions(diagram: Diagram) -> list[DiagramVersion]:
    return list(version_rows(diagram))


def comment_rows(diagram: Diagram):
    return diagram.comments.select_related("author")


def comments(diagram: Diagram) -> list:
    return list(comment_rows(diagram))


def attachments(viewer, diagram: Diagram) -> list[tuple]:
    """(attachment, Target) for what the viewer may follow; the rest is left out."""
    rows = list(diagram.attachments.all())
    found = registry.resolve(viewer, [(row.target_type, row.target_id) for row in rows])
    return [(row, found[(row.target_type, row.target_id)]) for row in rows
            if (row.target_type, row.target_id) in found]


def interventions(viewer, diagram: Diagram) -> list[tuple]:
    """(intervention, Target or None): what each became, when the viewer may see it."""
    rows = list(diagram.interventions.select_related("created_by"))
    found = registry.resolve(viewer, [(row.target_type, row.target_id) for row in rows])
    return [(row, found.get((row.target_type, row.target_id))) for row in rows]


def attached_to(viewer, target_type: str, target_id) -> list[Diagram]:
    """The diagrams attached to one object (a session, a theme, an experiment) that the viewer may
    open, by title: one query, however many are attached."""
    return list(Diagram.objects.filter(visible_q(viewer), attachments__target_type=target_type,
                                       attachments__target_id=str(target_id))
                .select_related("team").only("pk", "title", "team__name").order_by("title", "pk").distinct())
