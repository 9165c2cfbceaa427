"""Importing a folder of Markdown files from the knowledge pages: check first, then import."""

import pytest
from playwright.sync_api import expect

from learnloop.knowledge.models import Entry

pytestmark = pytest.mark.browser

GOOD = b"""---
title: Pin base images by digest
type: lesson
tags: [docker, supply-chain]
---
A tag can move under you; a digest cannot.
"""
PLAYBOOK = b"# Rotate the signing key\n\n1. Create the new key.\n2. Publish it.\n"
BAD = b"""---
title: Broken front matter
type: memo
---
Text.
"""


def files(*named):
    return [{"name": name, "mimeType": "text/markdown", "buffer": content} for name, content in named]


def test_check_a_folder_then_import_it(page_as, live_server, member):
    page = page_as(member)
    page.goto("/knowledge/")
    page.get_by_role("button", name="Import · export").click()
    expect(page.get_by_role("heading", name="Import and export Markdown")).to_be_visible()

    upload = page.get_by_label("Markdown files, or a .zip of them")
    upload.set_input_files(files(("pin-images.md", GOOD), ("rotate-key.md", PLAYBOOK), ("broken.md", BAD)))
    page.get_by_role("button", name="Check files").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("broken.md")
    expect(problems).to_contain_text("type")
    assert Entry.objects.count() == 0  # one bad file: nothing imported

    page.get_by_label("Markdown files, or a .zip of them").set_input_files(
        files(("pin-images.md", GOOD), ("rotate-key.md", PLAYBOOK))
    )
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", name="Check passed")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("pin-images.md")
    assert Entry.objects.count() == 0  # the check is a dry run

    page.get_by_role("button", name="Import 2 files").click()
    expect(page.get_by_role("main")).to_contain_text("2 entries were created, 0 updated, 0 unchanged.")
    imported = {entry.title: entry for entry in Entry.objects.all()}
    assert set(imported) == {"Pin base images by digest", "Rotate the signing key"}
    assert imported["Rotate the signing key"].kind == "lesson"  # no front matter: the default type
    assert sorted(imported["Pin base images by digest"].tags.values_list("name", flat=True)) == [
        "docker", "supply-chain"
    ]
    assert imported["Pin base images by digest"].owner_person == member
