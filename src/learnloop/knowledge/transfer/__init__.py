"""Markdown in and out of the knowledge base: import a folder of notes, export every entry.

A file is Markdown with optional YAML front matter between `---` lines:

    ---
    title: Roll back database migrations in two steps
    type: lesson                 # lesson, playbook, decision or question
    tags: [databases, deploys]   # or "databases, deploys"
    owner: Platform              # a person's email or a team's name; default: the importer
    ---
    First deploy code that works with both schemas, ...

Import is all or nothing, like the CSV import: every file is checked first, and the whole
import runs in one transaction that is rolled back for a dry run or when any file has a
problem, so the dry-run report is exactly what the real import would do. A file updates the
entry it names with `id` (written by the export), else the entry an earlier import of the same
path created (recorded as its provenance), else it creates one; never the entry that merely has
the same title (titles may repeat). Re-importing a folder never duplicates entries and changes
only what changed (the report names the changed fields). Everything goes through
the services, so permissions, versions and activity events are the same as by hand.

Export writes one Markdown file per entry (`lessons/12-roll-back-….md`) with front matter that
import reads back, plus `entries.json` with what Markdown can't hold: answers, applications,
versions, links, helpful counts.
"""

from learnloop.knowledge.transfer.exporting import entries_to_export, export_files, export_to_directory, export_zip
from learnloop.knowledge.transfer.files import MAX_TOTAL_BYTES, ImportReport, read_folder, read_uploads
from learnloop.knowledge.transfer.importing import import_markdown

__all__ = [
    "MAX_TOTAL_BYTES",
    "ImportReport",
    "entries_to_export",
    "export_files",
    "export_to_directory",
    "export_zip",
    "import_markdown",
    "read_folder",
    "read_uploads",
]
