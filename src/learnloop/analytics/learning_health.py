"""The learning-health index of a team: a weighted mean of behaviour metrics and released survey
scales, each turned into a 0..1 score. No Django; docs/metrics.md states the same rules.

- Every component shows its raw value, its score and its weight.
- A missing component (no data, or a survey group the disclosure engine did not release) stays
  missing: it is never scored 0. The index is re-weighted over the components present when they
  carry at least MIN_COVERAGE of the total weight; below that it is not computed ("incomplete").
- Comparisons between teams are the caller's business, and only between teams whose group is at
  or above the disclosure threshold (see insights.metrics.health_comparison).
"""

from dataclasses import asdict, dataclass

MIN_COVERAGE = 0.6
# Targets that count as full marks: one session a month, a lesson within two weeks of a session.
CADENCE_TARGET_PER_MONTH = 1.0
FIRST_LESSON_TARGET_DAYS = 14
FIRST_LESSON_ZERO_DAYS = 90  # a first lesson this late (or later) scores 0


@dataclass(frozen=True)
class Component:
    key: str  # a catalogue metric key, or "survey_scales"
    name: str
    weight: float
    rule: str  # how the raw value becomes a 0..1 score, in words


COMPONENTS: tuple[Component, ...] = (
    Component("completion_rate", "Action completion rate", 0.15, "the rate itself"),
    Component("effectiveness_rate", "Effectiveness rate", 0.15, "the rate itself"),
    Component("session_cadence", "Session cadence", 0.10,
              f"sessions per month / {CADENCE_TARGET_PER_MONTH:g}, at most 1"),
    Component("time_to_first_lesson", "Time to first lesson", 0.10,
              f"1 up to {FIRST_LESSON_TARGET_DAYS} days, falling linearly to 0 at {FIRST_LESSON_ZERO_DAYS} days"),
    Component("lesson_reuse_rate", "Lesson reuse rate", 0.10, "the rate itself"),
    Component("stale_knowledge_share", "Fresh knowledge", 0.10, "1 − the stale share"),
    Component("survey_scales", "Survey scales (released)", 0.30,
              "mean of the released dimension means, rescaled from the instrument's scale to 0..1"),
)


@dataclass(frozen=True)
class ComponentScore:
    key: str
    name: str
    weight: float
    rule: str
    raw: float | None
    score: float | None  # None = missing
    effective_weight: float | None  # its weight after re-weighting, None when missing


@dataclass(frozen=True)
class HealthIndex:
    value: float | None  # 0..100, None when incomplete
    status: str  # "complete", "reweighted" or "incomplete"
    coverage: float  # share of the total weight that had data
    components: tuple[ComponentScore, ...]

    def as_dict(self) -> dict:
        return asdict(self)


def _score(key: str, raw: float | None) -> float | None:
    if raw is None:
        return None
    if key == "session_cadence":
        return min(raw / CADENCE_TARGET_PER_MONTH, 1.0)
    if key == "time_to_first_lesson":
        if raw <= FIRST_LESSON_TARGET_DAYS:
            return 1.0
        return max(0.0, 1 - (raw - FIRST_LESSON_TARGET_DAYS) / (FIRST_LESSON_ZERO_DAYS - FIRST_LESSON_TARGET_DAYS))
    if key == "stale_knowledge_share":
        return 1.0 - raw
    return float(raw)


def survey_score(means: list[float], scale_min: float, scale_max: float) -> float | None:
    """The released dimension means of one group, as one 0..1 score (None when none was released)."""
    if not means or scale_max <= scale_min:
        return None
    return (sum(means) / len(means) - scale_min) / (scale_max - scale_min)


def health_index(raw: dict[str, float | None]) -> HealthIndex:
    """raw: {component key: the metric's value or None}; "survey_scales" is already 0..1 (survey_score)."""
    scored = [(component, raw.get(component.key), _score(component.key, raw.get(component.key)))
              for component in COMPONENTS]
    total = sum(component.weight for component in COMPONENTS)
    present = sum(component.weight for component, _, score in scored if score is not None)
    coverage = present / total
    components = tuple(
        ComponentScore(component.key, component.name, component.weight, component.rule, value, score,
                       component.weight / present if score is not None else None)
        for component, value, score in scored
    )
    if present == 0 or coverage < MIN_COVERAGE - 1e-9:
        return HealthIndex(None, "incomplete", coverage, components)
    value = 100 * sum(part.score * part.weight for part in components if part.score is not None) / present
    return HealthIndex(value, "complete" if coverage > 1 - 1e-9 else "reweighted", coverage, components)
