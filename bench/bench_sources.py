"""Public data the quality benchmarks read (test collections, paraphrase pairs, short-text
clusters): one file of a public GitHub repository at a pinned commit, cached under .cache/ and
never committed. Read from a local git mirror of that repository (`--git-mirror DIR`) when the
machine cannot reach GitHub."""

import subprocess
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pinned_file(repository: str, commit: str, path: str, *, cache: str, mirror: Path | None) -> bytes:
    """The bytes of `path` at `commit` of `repository` ("owner/name"), cached under
    .cache/<cache>/<commit[:12]>/<path>."""
    cached = ROOT / ".cache" / cache / commit[:12] / path
    if cached.exists():
        return cached.read_bytes()
    if mirror is not None:
        data = subprocess.run(  # noqa: S603 (git, our arguments)
            ["git", "--git-dir", str(mirror), "show", f"{commit}:{path}"],  # noqa: S607
            capture_output=True, check=True,
        ).stdout
    else:
        url = f"https://raw.githubusercontent.com/{repository}/{commit}/{path}"
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data
