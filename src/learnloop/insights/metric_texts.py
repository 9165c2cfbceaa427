"""The metrics catalogue's words in the reader's language.

analytics.learning_metrics and analytics.learning_health define every metric once, without Django,
so their names, formulas, sources and caveats are English. The pages and digests say them again here
with gettext, keyed by the metric (or component) key; a key this module doesn't know keeps the
catalogue's English. A test keeps this module in step with the catalogue.
"""

from django.utils.translation import gettext_lazy as _

from learnloop.analytics import learning_health
from learnloop.analytics import learning_metrics as catalogue

NAMES = {
    "completion_rate": _("Action completion rate"),
    "effectiveness_rate": _("Effectiveness rate"),
    "overdue_count": _("Overdue actions"),
    "median_days_card_to_action": _("Median days card → action"),
    "median_days_action_to_done": _("Median days action → done"),
    "time_to_first_lesson": _("Time to first lesson"),
    "lesson_reuse_rate": _("Lesson reuse rate"),
    "lesson_reuse_count": _("Lesson reuse count"),
    "stale_knowledge_share": _("Stale-knowledge share"),
    "experiment_velocity": _("Experiment velocity"),
    "win_rate": _("Win rate"),
    "experiments_with_lesson_share": _("Experiments with a lesson"),
    "session_cadence": _("Session cadence"),
    "anonymous_participation_rate": _("Anonymous participation"),
    "participation_rate": _("Retro participation rate"),
    "skill_coverage": _("Skill coverage"),
    "survey_scale_scores": _("Survey scale scores"),
    "theme_recurrence_rate": _("Theme recurrence rate"),
}
FORMULAS = {
    "completion_rate": _("done / (done + not doing + overdue), over actions created in the period"),
    "effectiveness_rate": _("worked / (worked + did not work), over done actions of the period whose "
                              "check has an answer"),
    "overdue_count": _("open or in-progress actions of the period past due date + the team's grace days, today"),
    "median_days_card_to_action": _("median over actions raised from a session and created in the period "
                                      "of (action created − session held), in days"),
    "median_days_action_to_done": _("median over done actions created in the period of (closed − "
                                      "created), in days"),
    "time_to_first_lesson": _("median over sessions held in the period that produced a lesson of (first "
                                "lesson − held), in days"),
    "lesson_reuse_rate": _("lessons created in the period applied at least once / lessons created in the period"),
    "lesson_reuse_count": _("\"I applied this\" records on lessons created in the period"),
    "stale_knowledge_share": _("entries past review date + 30 days / entries not obsolete, at the period's end"),
    "experiment_velocity": _("experiments concluded in the period / calendar months in the period"),
    "win_rate": _("won / experiments concluded in the period with an outcome"),
    "experiments_with_lesson_share": _("experiments concluded in the period with at least one lesson / "
                                         "experiments concluded in the period"),
    "session_cadence": _("sessions held in the period / calendar months in the period"),
    "anonymous_participation_rate": _("cards written under an alias or anonymously / all cards, in "
                                        "sessions held in the period"),
    "participation_rate": _("active members who joined at least one session held in the period / active "
                              "members, today"),
    "skill_coverage": _("skill needs met (active members at the needed level or above ≥ the people "
                          "needed) / skill needs, today"),
    "survey_scale_scores": _("mean of each dimension in the latest closed campaign, for the group, as released"),
    "theme_recurrence_rate": _("themes with an item in the period that also had one before it / themes "
                                 "with an item in the period"),
}
SOURCES = {
    "completion_rate": _("actions (status, due date, team grace days)"),
    "effectiveness_rate": _("actions (effectiveness check)"),
    "overdue_count": _("actions"),
    "median_days_card_to_action": _("reflection sessions, actions (source = the session)"),
    "median_days_action_to_done": _("actions"),
    "time_to_first_lesson": _("reflection sessions, lessons promoted from them"),
    "lesson_reuse_rate": _("knowledge lessons owned by the team, \"I applied this\" records"),
    "lesson_reuse_count": _("knowledge lessons owned by the team, their applications"),
    "stale_knowledge_share": _("knowledge entries owned by the team (review dates)"),
    "experiment_velocity": _("experiments (status, end date)"),
    "win_rate": _("experiments (outcome)"),
    "experiments_with_lesson_share": _("experiments, their lessons"),
    "session_cadence": _("reflection sessions"),
    "anonymous_participation_rate": _("reflection cards (no author stored)"),
    "participation_rate": _("reflection session participants, team memberships"),
    "skill_coverage": _("growth team skill needs, members' effective skill levels"),
    "survey_scale_scores": _("surveys, through the disclosure gate"),
    "theme_recurrence_rate": _("insights themes (retro cards, postmortem factors, actions, lessons, "
                                 "questions, released survey comments)"),
}
CAVEATS = {
    "completion_rate": _("Open actions not yet due don't count; a team with nothing due has no rate."),
    "effectiveness_rate": _("\"We can't tell\" answers and pending checks are left out; few checks make a "
                              "jumpy rate."),
    "overdue_count": _("A snapshot at the period's end, not a sum over time."),
    "median_days_card_to_action": _("Actions are linked to the session they came from, not to a single card."),
    "median_days_action_to_done": _("Actions still open are not in the median (it can look faster than it is)."),
    "time_to_first_lesson": _("Sessions without a lesson are not counted here (see the funnel for how "
                                "many there are)."),
    "lesson_reuse_rate": _("Reuse is what people record; a lesson reused without a record is not counted."),
    "lesson_reuse_count": _("Counts records, not distinct lessons: one lesson applied five times counts five."),
    "stale_knowledge_share": _("A snapshot at the period's end; obsolete entries are out of both counts."),
    "experiment_velocity": _("Counts conclusions, not starts; a short period is noisy."),
    "win_rate": _("A low win rate is normal for a team that tests bold ideas; read it with velocity."),
    "session_cadence": _("Months are counted from the period's first month to its last, both included."),
    "anonymous_participation_rate": _("Says how much people rely on anonymity, not who wrote what: cards "
                                        "carry no writer."),
    "participation_rate": _("Joining is opening the board; it says who took part, never who wrote which "
                              "card. Members are today's, so a team that grew late looks lower."),
    "skill_coverage": _("A snapshot of today, whatever the period; a team that recorded no needs has no "
                          "coverage. Counts people per need, never who they are."),
    "survey_scale_scores": _("Only groups the disclosure engine released are shown; anything else is "
                               "missing, not zero."),
    "theme_recurrence_rate": _("Counts only the theme items the viewer may open; missing when no theme "
                                 "came up in the period."),
}
COMPONENT_NAMES = {
    "completion_rate": _("Action completion rate"),
    "effectiveness_rate": _("Effectiveness rate"),
    "session_cadence": _("Session cadence"),
    "time_to_first_lesson": _("Time to first lesson"),
    "lesson_reuse_rate": _("Lesson reuse rate"),
    "stale_knowledge_share": _("Fresh knowledge"),
    "survey_scales": _("Survey scales (released)"),
}
COMPONENT_RULES = {
    "completion_rate": _("the rate itself"),
    "effectiveness_rate": _("the rate itself"),
    "session_cadence": _("sessions per month / 1, at most 1"),
    "time_to_first_lesson": _("1 up to 14 days, falling linearly to 0 at 90 days"),
    "lesson_reuse_rate": _("the rate itself"),
    "stale_knowledge_share": _("1 − the stale share"),
    "survey_scales": _("mean of the released dimension means, rescaled from the instrument's scale to 0..1"),
}
FUNNEL_STAGES = {
    "cards": _("Cards written"), "actions": _("Actions raised"), "done": _("Actions done"),
    "effective": _("Found effective"), "lessons": _("Lessons kept"), "reused": _("Lessons reused"),
}


def _text(table: dict, key: str, english: str) -> str:
    return str(table[key]) if key in table else english


def metric_name(key: str) -> str:
    return _text(NAMES, key, catalogue.BY_KEY[key].name if key in catalogue.BY_KEY else key)


def metric_in_words(entry: dict) -> dict:
    """A metric entry ({"key", "name", "formula", "source", "caveats", ...}) in the active language."""
    key = entry["key"]
    return {**entry, "name": _text(NAMES, key, entry.get("name", key)),
            "formula": _text(FORMULAS, key, entry.get("formula", "")),
            "source": _text(SOURCES, key, entry.get("source", "")),
            "caveats": _text(CAVEATS, key, entry.get("caveats", ""))}


def component_in_words(part: dict) -> dict:
    """A learning-health component ({"key", "name", "rule", ...}) in the active language."""
    key = part["key"]
    return {**part, "name": _text(COMPONENT_NAMES, key, part.get("name", key)),
            "rule": _text(COMPONENT_RULES, key, part.get("rule", ""))}


def component_name(component: learning_health.Component) -> str:
    return _text(COMPONENT_NAMES, component.key, component.name)


def funnel_in_words(stages: list[dict]) -> list[dict]:
    return [{**stage, "label": _text(FUNNEL_STAGES, stage.get("stage", ""), stage["label"])} for stage in stages]


UNITS = {"share": _("share"), "count": _("count"), "days": _("days"), "per month": _("per month"),
         "score": _("score")}


def catalogue_in_words() -> list[dict]:
    """Every metric of the catalogue with its key, name, unit, formula, source and caveats, in the active language."""
    return [{**metric_in_words({"key": metric.key, "name": metric.name, "formula": metric.formula,
                                "source": metric.source, "caveats": metric.caveats}),
             "unit": str(UNITS.get(metric.unit, metric.unit))} for metric in catalogue.CATALOGUE]
