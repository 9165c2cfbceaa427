"""Harbourline's recurring themes: regrouped from everything the other modules wrote.

Organization-wide: built once after the sites are copied (`demo --scale`), so themes cross sites
too. The themes are what the grouping finds in the year's retro cards, postmortem factors, review
gaps, actions, questions, lessons and released survey comments; the learning lead then names a
few of them (demo_data/theme_names.yaml), so the demo shows corrections that later regroupings
keep. tests/insights/test_demo.py checks the story: themes across several teams, and themes
that came back after an action on them was marked effective.
"""

from learnloop.demo.data import load_demo_data
from learnloop.insights import themes_services
from learnloop.insights.themes_models import ThemeItem
from learnloop.org.models import OrgRole, Person

ORGANIZATION_WIDE = True
NAMES = load_demo_data("learnloop.insights", "theme_names.yaml")


def build(context) -> None:
    run = themes_services.rebuild(announce=context.announce)
    lead = Person.objects.filter(role=OrgRole.LEARNING_LEAD, is_active=True).order_by("pk").first()
    named = set()
    for entry in NAMES if lead else []:
        item = ThemeItem.objects.select_related("theme").filter(text=entry["text"]).order_by("key").first()
        if item is None or item.theme_id in named:
            continue
        themes_services.rename_theme(by=lead, theme=item.theme, name=entry["name"])
        named.add(item.theme_id)
    context.extra["themes"] = {"texts": run.texts, "themes": run.themes, "named": len(named)}
