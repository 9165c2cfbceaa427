"""The weekly digest's "Recurring themes" section (actions.digest sends `digest_sections`).

A person reads the themes with an item they may see dated in the last seven days that had come up
before, largest news first, and every theme that came back after an action on it was marked
effective. Figures are the reader's visible ones, as on the pages.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext

from learnloop.actions.digest import DigestSection
from learnloop.insights.themes_selectors import week_themes


def recurring_themes_section(sender, *, person, today, **kwargs) -> DigestSection | None:
    themes = week_themes(person, today=today)
    if not themes:
        return None
    lines = []
    for summary in themes:
        lines.append("- " + gettext("%(theme)s: %(count)s new this week, first seen %(first)s.") % {
            "theme": summary.theme.title, "count": summary.this_week,
            "first": date_format(summary.first_seen, "j M Y")} + f" {summary.sentence}")
        for alert in summary.alerts:
            lines.append("  " + gettext("Came back after “%(action)s” was marked effective on %(on)s (%(since)s "
                                        "since).") % {"action": alert.action.title,
                                                      "on": date_format(alert.effective_on, "j M Y"),
                                                      "since": alert.since})
        lines.append(f"  {settings.BASE_URL}{reverse('insights:theme', args=[summary.theme.pk])}")
    return DigestSection(title=gettext("Recurring themes this week"), lines=lines)
