"""The weekly digest's "Recurring themes" section (actions.digest sends `digest_sections`).

A person reads the themes with an item they may see dated in the last seven days that had come up
before, largest news first, and every theme that came back after an action on it was marked
effective. Figures are the reader's visible ones, as on the pages.
"""

from django.conf import settings
from django.urls import reverse

from learnloop.actions.digest import DigestSection
from learnloop.insights.themes_selectors import week_themes


def recurring_themes_section(sender, *, person, today, **kwargs) -> DigestSection | None:
    themes = week_themes(person, today=today)
    if not themes:
        return None
    lines = []
    for summary in themes:
        lines.append(f"- {summary.theme.title}: {summary.this_week} new this week, first seen "
                     f"{summary.first_seen:%-d %b %Y}. {summary.sentence}")
        for alert in summary.alerts:
            lines.append(f"  Came back after “{alert.action.title}” was marked effective on "
                         f"{alert.effective_on:%-d %b %Y} ({alert.since} since).")
        lines.append(f"  {settings.BASE_URL}{reverse('insights:theme', args=[summary.theme.pk])}")
    return DigestSection(title="Recurring themes this week", lines=lines)
