"""Compiles the shipped translation catalogues (`<app>/locale/<lang>/LC_MESSAGES/django.po`) into
the `.mo` files Django reads.

Done in Python with Babel rather than Django's `compilemessages`, which needs GNU gettext's
`msgfmt`: a fresh machine running `./run demo` has no gettext. Compiled files are build output
(ignored by git), rebuilt only when their catalogue is newer, so calling this on every start and
every test session costs a few stat calls.

    python -m learnloop.translations      # compile what is stale, print what was compiled
"""

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def catalogues(root: Path = PACKAGE_ROOT) -> list[Path]:
    return sorted(root.glob("*/locale/*/LC_MESSAGES/*.po"))


def compile_catalogues(root: Path = PACKAGE_ROOT, *, force: bool = False) -> list[Path]:
    """Compile every stale catalogue under `root`; returns the `.mo` files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in catalogues(root):
        mo_path = po_path.with_suffix(".mo")
        if not force and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            # abort_invalid: a broken catalogue must fail the build, not ship half-translated.
            catalog = read_po(po_file, abort_invalid=True)
        temporary = mo_path.with_suffix(".mo.tmp")
        with temporary.open("wb") as mo_file:
            # Fuzzy entries are guesses by a tool, not translations: left out, as msgfmt does.
            write_mo(mo_file, catalog, use_fuzzy=False)
        temporary.replace(mo_path)
        written.append(mo_path)
    return written


def main() -> None:
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(PACKAGE_ROOT)}")


if __name__ == "__main__":
    main()
