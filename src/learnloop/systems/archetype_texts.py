"""The archetypes' and loops' words in the reader's language.

analytics.systems finds loops and archetypes without Django and stores its report (English
titles and explanations) in the diagram's analysis. The pages name them again here by their
stable keys, with gettext; an unknown key keeps the stored English text.
"""

from django.utils.translation import gettext_lazy as _

from learnloop.analytics.systems import archetypes as rules
from learnloop.analytics.systems.loops import BALANCING, REINFORCING

TITLES = {
    rules.FIXES_THAT_FAIL: _("Fixes that fail"),
    rules.SHIFTING_THE_BURDEN: _("Shifting the burden"),
    rules.LIMITS_TO_GROWTH: _("Limits to growth"),
    rules.SUCCESS_TO_THE_SUCCESSFUL: _("Success to the successful"),
    rules.ESCALATION: _("Escalation"),
    rules.TRAGEDY_OF_THE_COMMONS: _("Tragedy of the commons"),
    rules.ERODING_GOALS: _("Eroding goals"),
    rules.GROWTH_AND_UNDERINVESTMENT: _("Growth and underinvestment"),
}
EXPLANATIONS = {
    rules.FIXES_THAT_FAIL: _(
        "A fix relieves the problem quickly, but it also sets off a slower consequence that brings the "
        "problem back, often worse. Look past the quick relief: name the unintended consequence, watch "
        "for it over the delay, and look for a fix that does not feed it (or stop applying the fix)."),
    rules.SHIFTING_THE_BURDEN: _(
        "A quick symptomatic solution keeps being chosen over a slower fundamental one, and its side "
        "effect erodes the ability to apply the fundamental solution. Use the quick fix only to buy time, "
        "invest in the fundamental solution, and make its slower benefit visible."),
    rules.LIMITS_TO_GROWTH: _(
        "A reinforcing process of growth runs into a balancing process that slows it as a limit is "
        "approached. Pushing harder on the growth engine will not help; find the limiting condition "
        "and work on it (or decide that the limit is the right size)."),
    rules.SUCCESS_TO_THE_SUCCESSFUL: _(
        "Two activities compete for one pool of resources; the one that starts ahead gets more, which "
        "makes it succeed more and get more still, while the other starves. Check whether the allocation "
        "rule, not merit, decides; set goals for both, or separate their resources."),
    rules.ESCALATION: _(
        "Each side responds to the other's position by doing more, so both escalate in a figure eight "
        "neither wants. Look for a way for both to win or for one side to step back unilaterally, and "
        "agree on the measure of position both react to."),
    rules.TRAGEDY_OF_THE_COMMONS: _(
        "Each actor grows its own gain from a shared resource; the total use eventually degrades the "
        "resource, and every actor's gain falls. Make the shared limit visible to all, and govern the "
        "commons together (rules, quotas, feedback on total use)."),
    rules.ERODING_GOALS: _(
        "A gap between goal and reality can close two ways: slow corrective action, or quietly lowering "
        "the goal. The easy way wins and standards drift down. Hold the goal steady, anchor it outside "
        "the current performance, and face the delay of the corrective action."),
    rules.GROWTH_AND_UNDERINVESTMENT: _(
        "Growth approaches a limit that investment in capacity could lift, but the need to invest is "
        "judged by performance that has already dropped, so investment comes late and too small and "
        "growth stalls. Invest ahead of demand and keep performance standards from eroding."),
}
ROLES = {
    "actors": _("actors"), "capacity_investment": _("capacity investment"), "common_resource": _("common resource"),
    "corrective_action": _("corrective action"), "fundamental_solution": _("fundamental solution"), "gap": _("gap"),
    "goal_lowering": _("goal lowering"), "growing_result": _("growing result"),
    "limiting_condition": _("limiting condition"), "problem_and_fix": _("problem and fix"),
    "side_effect": _("side effect"), "symptom": _("symptom"), "symptomatic_solution": _("symptomatic solution"),
    "unintended_consequence": _("unintended consequence"),
}
POLARITIES = {REINFORCING: _("reinforcing"), BALANCING: _("balancing")}


def title(match: dict) -> str:
    return str(TITLES.get(match.get("archetype"), match.get("title", "")))


def match_in_words(match: dict) -> dict:
    """One stored archetype match with its title, explanation and role rows in the active language."""
    return {**match, "title": title(match),
            "explanation": str(EXPLANATIONS.get(match.get("archetype"), match.get("explanation", ""))),
            "role_rows": [(str(ROLES.get(role, role.replace("_", " "))), names)
                          for role, names in match.get("roles", {}).items()]}


def loops_in_words(loops: dict) -> dict:
    """The stored loop report with each loop's polarity in the active language (`polarity_label`)."""
    return {**loops, "loops": [
        {**loop, "polarity_label": str(POLARITIES.get(loop.get("polarity"), loop.get("polarity")))}
        for loop in loops.get("loops", [])]}
