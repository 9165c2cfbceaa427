"""The learning path type of the link registry (learnloop.links.registry), so an initiative of
the learning strategy (or anything else that cites) can point at the paths that carry it out.

Paths are open to every active person (docs/growth.md): anyone who may cite may cite one."""

from django.urls import reverse

from learnloop.growth.models import LearningPath
from learnloop.links.registry import LinkType, Target, int_ids, register

LEARNING_PATH = "growth.learningpath"


def resolve_paths(viewer, ids: list[str]) -> dict[str, Target]:
    if viewer is None or not getattr(viewer, "is_active", False):
        return {}
    return {
        str(path.pk): Target(LEARNING_PATH, str(path.pk), f"Learning path: {path.title}",
                             reverse("growth:path", args=[path.pk]))
        for path in LearningPath.objects.filter(pk__in=int_ids(ids)).only("pk", "title")
    }


def register_types() -> None:
    register(LinkType(LEARNING_PATH, "learning path", resolve_paths))
