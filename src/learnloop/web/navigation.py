"""The module navigation and the home page's panels, contributed by each installed app.

An app lists `nav_items` and `home_panels` on its AppConfig; a module that is not installed
contributes nothing, so the shell never links to a page that does not exist yet.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop


def signed_in(user) -> bool:
    return bool(user and user.is_authenticated)


def admins_only(user) -> bool:
    return signed_in(user) and user.is_admin


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    order: int = 100
    visible: Callable = signed_in
    # URL prefix that marks the item as the current section.
    section: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


def nav_items_for(user) -> list[NavItem]:
    items = []
    for config in apps.get_app_configs():
        items.extend(item for item in getattr(config, "nav_items", ()) if item.visible(user))
    ordered = sorted(items, key=lambda item: (item.order, item.label))
    return [replace(item, label=gettext(str(item.label))) for item in ordered]


@dataclass(frozen=True)
class HomePanel:
    """A block on the home page: a template rendered with what `build(request)` returns.

    `build` returns None when the panel has nothing to show this person.
    """

    title: str
    template: str
    build: str  # dotted path, imported lazily so apps.py stays free of view imports
    order: int = 100


def home_panels_for(request) -> list[dict]:
    panels = []
    for config in apps.get_app_configs():
        panels.extend(getattr(config, "home_panels", ()))
    rendered = []
    for panel in sorted(panels, key=lambda p: p.order):
        context = import_string(panel.build)(request)
        if context is not None:
            rendered.append({"title": gettext(str(panel.title)), "template": panel.template, "context": context})
    return rendered


# The labels and panel titles the apps give (in their apps.py, in English) are put into words
# here, in the language of the page; listed so makemessages puts them in this app's catalogue.
APP_LABELS = (
    gettext_noop("Actions"), gettext_noop("My open actions"), gettext_noop("Audit log"),
    gettext_noop("Experiments"), gettext_noop("Running experiments"), gettext_noop("Growth"),
    gettext_noop("Dashboards"), gettext_noop("Themes"), gettext_noop("The organization's loop"),
    gettext_noop("Your teams' loop"), gettext_noop("Coming up again and again"), gettext_noop("Webhooks"),
    gettext_noop("Calendar"), gettext_noop("Notifications"), gettext_noop("Knowledge"),
    gettext_noop("Recent lessons"), gettext_noop("Due for your review"), gettext_noop("Network"),
    gettext_noop("People"), gettext_noop("Teams"), gettext_noop("Invitations"), gettext_noop("Import"),
    gettext_noop("My teams"), gettext_noop("Organization"), gettext_noop("Sessions"),
    gettext_noop("Strategy"), gettext_noop("Surveys"), gettext_noop("Systems"),
)
