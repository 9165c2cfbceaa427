"""The barriers' words in the reader's language.

analytics.learning_barriers decides which barriers show and why, without Django, so it writes its
labels, practices and evidence in English. The pages say them again here with gettext, from the
same facts and the rule that fired (Finding.rule), so a German reader gets German sentences with
the same figures. A rule this module doesn't know keeps the analytics' English text.
"""

from dataclasses import replace

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from learnloop.analytics import learning_barriers as rules

LABELS = {
    rules.FEAR_OF_FAILURE: gettext_lazy("Cultural inertia and fear of failure"),
    rules.LEADERSHIP_SUPPORT: gettext_lazy("Lack of leadership support"),
    rules.SILOS: gettext_lazy("Silos and knowledge hoarding"),
    rules.TIME_AND_RESOURCES: gettext_lazy("Lack of time and resources"),
}
PRACTICES = {
    rules.FEAR_OF_FAILURE: (
        gettext_lazy("Hold blameless postmortems and share what failed, not only what worked."),
        gettext_lazy("Run one small, time-boxed experiment with a stated hypothesis and a kill criterion."),
        gettext_lazy("Let a leader tell the team about a mistake of their own and what it taught them."),
    ),
    rules.LEADERSHIP_SUPPORT: (
        gettext_lazy("Give the team a learning objective with a key result bound to a platform metric."),
        gettext_lazy("Answer effectiveness checks together in the next retro: did the actions work?"),
        gettext_lazy("Name a learning champion and give them time for it."),
    ),
    rules.SILOS: (
        gettext_lazy("Hold a cross-team lesson review: each team brings one lesson another team could use."),
        gettext_lazy("Apply another team's lesson and record it (\"I applied this\")."),
        gettext_lazy("Pair or rotate with a neighbouring team for a sprint."),
    ),
    rules.TIME_AND_RESOURCES: (
        gettext_lazy("Give every initiative a budget in person-days, money or people before it starts."),
        gettext_lazy("Close actions that won't happen as \"not doing\", with a reason, instead of leaving them open."),
        gettext_lazy("Protect learning time in the team's plan (for example a fixed slot every sprint)."),
    ),
}
SOURCES = {rules.SOURCE_SURVEY: gettext_lazy("survey"), rules.SOURCE_BEHAVIOUR: gettext_lazy("behaviour")}


def _decimal(value: float, places: int) -> str:
    return number_format(round(value, places), places)


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%"


def _survey_evidence(finding: rules.Finding, survey: rules.SurveyFacts | None) -> str:
    item = next((row for row in survey.barriers if row.barrier == finding.barrier), None) if survey else None
    if item is None:
        return finding.evidence
    low, high = survey.scale
    text = _("%(campaign)s (released, %(size)s responses): barrier mean %(mean)s on %(low)s–%(high)s") % {
        "campaign": survey.campaign, "size": survey.size, "mean": _decimal(item.mean, 1),
        "low": f"{low:g}", "high": f"{high:g}"}
    if item.organization_mean is not None:
        text += _(", %(gap)s below the organization's %(organization)s") % {
            "gap": _decimal(item.organization_mean - item.mean, 1),
            "organization": _decimal(item.organization_mean, 1)}
    if item.weak_dimensions:
        text += _("; weak: %(dimensions)s") % {"dimensions": ", ".join(item.weak_dimensions)}
    return text + "."


def _behaviour_evidence(finding: rules.Finding, facts: rules.Behaviour | None) -> str:
    if facts is None:
        return finding.evidence
    unanswered = facts.checks_due - facts.checks_answered
    if finding.rule == "actions_never_closed":
        return _("%(open)s of %(due)s actions due this year (%(share)s) are still open %(days)s+ days past their "
                 "due date.") % {"open": facts.actions_never_closed, "due": facts.actions_fell_due,
                                 "share": _share(facts.actions_never_closed, facts.actions_fell_due),
                                 "days": rules.NEVER_CLOSED_PAST_DUE_DAYS}
    if finding.rule == "initiatives_without_budget":
        return _("%(without)s of %(open)s planned or active initiatives have no budget (no person-days, money or "
                 "people).") % {"without": facts.initiatives_without_budget, "open": facts.open_initiatives}
    if finding.rule == "checks_unanswered":
        return _("%(unanswered)s of %(due)s effectiveness checks due this year were never answered (%(share)s): "
                 "nobody asks whether the actions worked.") % {
            "unanswered": unanswered, "due": facts.checks_due, "share": _share(unanswered, facts.checks_due)}
    if finding.rule == "no_goal_or_initiative":
        return _("The team has no learning objective and no planned or active initiative.")
    if finding.rule == "little_reuse_outside":
        return _("Other teams applied the team's %(lessons)s lessons of this year %(applied)s times (%(per_lesson)s "
                 "a lesson; below %(threshold)s).") % {
            "lessons": facts.lessons_written, "applied": facts.lessons_applied_by_other_teams,
            "per_lesson": _decimal(facts.lessons_applied_by_other_teams / facts.lessons_written, 2),
            "threshold": number_format(rules.SILO_REUSE_PER_LESSON)}
    if finding.rule == "no_reuse_inside":
        return _("The team's members applied no lesson of another team this year.")
    if finding.rule == "few_experiments":
        return ngettext(
            "%(sessions)s sessions held this year but %(experiments)s experiment started (fewer than one for "
            "every %(per)s sessions).",
            "%(sessions)s sessions held this year but %(experiments)s experiments started (fewer than one for "
            "every %(per)s sessions).", facts.experiments_started) % {
            "sessions": facts.sessions_held, "experiments": facts.experiments_started,
            "per": rules.SESSIONS_PER_EXPERIMENT}
    if finding.rule == "no_lessons":
        return _("%(sessions)s sessions held this year and not one lesson kept.") % {"sessions": facts.sessions_held}
    return finding.evidence


def translate(items: list[rules.TeamBarrier], *, behaviour: rules.Behaviour | None,
              survey: rules.SurveyFacts | None) -> list[rules.TeamBarrier]:
    """The team's barriers with label, practices, findings and `source_labels` in the active language."""
    for item in items:
        item.label = str(LABELS.get(item.barrier, item.label))
        item.practices = tuple(str(text) for text in PRACTICES.get(item.barrier, ())) or item.practices
        item.findings = [replace(finding, evidence=_survey_evidence(finding, survey)
                                 if finding.source == rules.SOURCE_SURVEY else _behaviour_evidence(finding, behaviour))
                         for finding in item.findings]
        item.source_labels = [str(SOURCES.get(source, source)) for source in item.sources]
    return items


def labels() -> list[tuple[str, str]]:
    """(key, label) of every barrier, in the seed's order, in the active language."""
    return [(key, str(LABELS.get(key, label))) for key, label in rules.BARRIERS]
