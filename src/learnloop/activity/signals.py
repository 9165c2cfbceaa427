"""Happenings that are not rows of the activity stream but that other apps may want to hear,
sent by the app that notices them to listeners it does not know (apps on one layer may not
import each other: pyproject's import contracts).

`theme_recurred(sender, theme_ids, find)`: themes were placed or regrouped (insights). `find()`
returns the recurrences among them as plain dicts — a theme that came back after an action on
it was marked effective: `theme_id`, `title`, `items`, `action_id`, `effective_on`,
`items_since`, `latest` — computed only when a listener asks (the integrations' webhook does so
only if someone subscribed).
"""

from django.dispatch import Signal

theme_recurred = Signal()
