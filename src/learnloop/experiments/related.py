"""What the organization already knows about a change someone is about to try: lessons from the
knowledge base (its own search and similarity), failures (concluded experiments that lost or
showed nothing, with what they were about) and earlier experiments on the same metric.

Shown when an experiment is registered, an action created or a postmortem / pre-mortem started
(the panel at experiments:related). Everything is scoped to what the viewer may see.
"""

from dataclasses import dataclass, field

from learnloop.experiments.models import Experiment, Outcome, Status
from learnloop.experiments.permissions import can_view

MAX_CANDIDATES = 400  # the newest concluded experiments a text is compared with
# Share of the shorter text's words found in the other: a word or two in common (a "checkout" in
# both) stays below it, the same change reworded reaches it.
FAILURE_THRESHOLD = 0.4


@dataclass
class Related:
    lessons: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # (experiment, similarity)
    same_metric: list = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.lessons or self.failures or self.same_metric)


def _lessons(viewer, text: str, limit: int) -> list:
    from learnloop.knowledge import search

    pairs = search.similar_entries(viewer=viewer, title=text, limit=limit)
    if pairs:
        return [entry for entry, _ in pairs]
    results = search.search_entries(viewer=viewer, query=text, per_page=limit, with_facets=False)
    return [hit.entry for hit in results.hits]


def overlap(text_terms: set[str], other_terms: set[str]) -> float:
    """The share of the shorter text's distinct stemmed words that the other text has too."""
    if not text_terms or not other_terms:
        return 0.0
    return len(text_terms & other_terms) / min(len(text_terms), len(other_terms))


def _failures(candidates: list[Experiment], text: str, limit: int) -> list[tuple[Experiment, float]]:
    from learnloop.analytics.text import analyze

    mine = set(analyze(text))
    if not mine:
        return []
    scored = []
    for experiment in candidates:
        if experiment.outcome not in {Outcome.LOST, Outcome.INCONCLUSIVE}:
            continue
        theirs = set(analyze(f"{experiment.title} {experiment.change} {experiment.effect} "
                             f"{experiment.success_metric}"))
        score = round(overlap(mine, theirs), 4)
        if score >= FAILURE_THRESHOLD:
            scored.append((experiment, score))
    scored.sort(key=lambda pair: (-pair[1], -pair[0].pk))
    return scored[:limit]


def related(viewer, *, text: str, metric: str = "", exclude_id: int | None = None, limit: int = 5) -> Related:
    """Lessons, failures and same-metric experiments for a draft's text (title, change, effect…)."""
    text = " ".join((text or "").split())[:2000]
    metric = " ".join((metric or "").split())[:200]
    found = Related()
    if not (text or metric) or not can_view(viewer):
        return found
    if text:
        found.lessons = _lessons(viewer, text, limit)
    experiments = Experiment.objects.select_related("team").exclude(pk=exclude_id or 0)
    if text:
        candidates = list(experiments.filter(status=Status.CONCLUDED).order_by("-decided_at", "-id")
                          .only("id", "title", "change", "effect", "success_metric", "outcome", "decision", "status",
                                "team__name", "decided_at")[:MAX_CANDIDATES])
        found.failures = _failures(candidates, text, limit)
    if metric:
        found.same_metric = list(experiments.filter(metrics__name__iexact=metric).distinct()
                                 .order_by("-created_at", "-id")[:limit])
    return found
