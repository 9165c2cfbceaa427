"""Migration 0005: applications whose place named an unknown type keep their words as text."""

from importlib import import_module

import pytest
from django.apps import apps

from learnloop.knowledge.models import Application
from learnloop.links import registry
from tests.links.conftest import lesson_for

pytestmark = pytest.mark.django_db

migration = import_module("learnloop.knowledge.migrations.0005_untyped_places_become_text")


def test_unknown_places_become_text_and_known_ones_stay(member, retro):
    entry = lesson_for(member)
    odd = Application.objects.create(entry=entry, person=member, context="Q3 launch", context_type="project",
                                     context_id="apollo")
    bare = Application.objects.create(entry=entry, person=member, context_type="retro", context_id="")
    kept = Application.objects.create(entry=entry, person=member, context_type="reflection.session",
                                      context_id=str(retro["session"].pk))
    migration.fold_unknown_places(apps, None)
    odd.refresh_from_db()
    bare.refresh_from_db()
    kept.refresh_from_db()
    assert (odd.context, odd.context_type, odd.context_id) == ("Q3 launch — project apollo", "", "")
    assert (bare.context, bare.context_type) == ("retro", "")
    assert (kept.context_type, kept.context_id) == ("reflection.session", str(retro["session"].pk))
    assert set(registry.known_types()) >= migration.LINKABLE_AT_THE_TIME
