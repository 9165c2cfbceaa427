"""Strings Django itself shows on Learnloop's pages that its own German catalogue lacks (new in
Django 6), listed so makemessages puts them in this app's catalogue."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    gettext_noop("- Select an option -"),
)
