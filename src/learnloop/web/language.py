"""The language each person reads Learnloop in: their own choice, or their browser's.

A person's `language` is a code from settings.LANGUAGES, or "" to follow the browser's
Accept-Language (Django's LocaleMiddleware). Emails have no browser: they are written in the
recipient's chosen language, or the site's default when they chose none.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy


def available_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def language_choices() -> list[tuple[str, str]]:
    """For a select: the browser default first, then each language named in itself ("Deutsch")."""
    named = [(code, translation.get_language_info(code)["name_local"]) for code in available_codes()]
    return [("", gettext_lazy("Browser default")), *named]


def check_language(code: str) -> str:
    code = (code or "").strip()
    if code and code not in available_codes():
        raise ValidationError({"language": gettext("Choose one of the offered languages.")})
    return code


def chosen_language(person) -> str | None:
    """The person's own choice, or None when they follow the browser (or it is no longer offered)."""
    code = getattr(person, "language", "") or ""
    return code if code in available_codes() else None


@contextmanager
def for_person(person) -> Iterator[None]:
    """Render what goes to `person` (an email) in their language:

        with for_person(person):
            body = render_to_string(...)
    """
    with translation.override(chosen_language(person) or settings.LANGUAGE_CODE):
        yield


class PersonLanguageMiddleware:
    """After AuthenticationMiddleware: a signed-in person's chosen language replaces the one
    LocaleMiddleware took from Accept-Language; without a choice the browser's stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        code = chosen_language(user) if user is not None and user.is_authenticated else None
        if code:
            translation.activate(code)
            request.LANGUAGE_CODE = code
        return self.get_response(request)
