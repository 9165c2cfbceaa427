"""A stored model's text as a file PySD can translate, alone in a folder only this process uses."""

import atexit
import shutil
import tempfile
import threading
from pathlib import Path

_folder: list[Path] = []
_folder_lock = threading.Lock()


def _private_folder() -> Path:
    """A folder only this process writes to (mkdtemp: mode 0700, a fresh name)."""
    with _folder_lock:
        if not _folder:
            folder = Path(tempfile.mkdtemp(prefix="learnloop-stockflow-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            _folder.append(folder)
        return _folder[0]


def model_path(model) -> Path:
    """The model's text as a file, alone in its folder (so it can read no file beside it)."""
    folder = _private_folder() / model.content_sha256
    path = folder / f"model{model.suffix}"
    if not path.exists():
        folder.mkdir(exist_ok=True)
        partial = folder / f".partial-{threading.get_ident()}"
        partial.write_text(model.content, encoding="utf-8")
        partial.replace(path)
    return path


