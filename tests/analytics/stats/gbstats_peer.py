"""GrowthBook's gbstats as a peer, in a virtual environment of its own.

gbstats 0.8.0 pins numpy<2 and pandas<2 (pandas 1.5 has wheels up to Python 3.11), so it
cannot share Learnloop's environment. `peer_python()` builds, once, a venv under
.cache/peers/<PEER_KEY> with uv and returns its interpreter; `run_driver()` feeds a list of
JSON cases to gbstats_driver.py inside it in one subprocess call. Building is locked, so
parallel test workers wait for one build instead of racing. Any failure raises PeerUnavailable
with uv's own output: the peer tests must fail loudly, never skip.
"""

import fcntl
import json
import os
import shutil
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[3]
REQUIREMENTS = ("gbstats==0.8.0", "numpy<2", "pandas<2")
PEER_PYTHON_VERSION = "3.11"
# Change the key whenever REQUIREMENTS or the Python version change, so a stale venv is not reused.
PEER_KEY = "gbstats-0.8.0-numpy1-pandas1-py3.11"
PEERS = REPOSITORY / ".cache" / "peers"
DRIVER = Path(__file__).with_name("gbstats_driver.py")


class PeerUnavailable(RuntimeError):
    pass


def find_uv() -> str:
    # Same order as ./run: the checkout's own uv first, then a working uv on PATH.
    local = REPOSITORY / ".cache" / "tools" / "bin" / "uv"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    on_path = shutil.which("uv")
    if on_path:
        return on_path
    raise PeerUnavailable("uv was not found (.cache/tools/bin/uv or on PATH); `./run test` installs it.")


def _run(command: list[str]) -> None:
    environment = {key: value for key, value in os.environ.items() if key not in {"UV_PYTHON", "VIRTUAL_ENV"}}
    completed = subprocess.run(command, capture_output=True, text=True, env=environment, cwd=PEERS, check=False)
    if completed.returncode != 0:
        raise PeerUnavailable(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")


def peer_python() -> Path:
    home = PEERS / PEER_KEY
    python = home / "bin" / "python"
    ready = home / ".ready"
    if ready.exists():
        return python
    PEERS.mkdir(parents=True, exist_ok=True)
    with open(PEERS / f"{PEER_KEY}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return python
        uv = find_uv()
        shutil.rmtree(home, ignore_errors=True)
        _run([uv, "venv", "--quiet", "--no-project", "--python", PEER_PYTHON_VERSION, str(home)])
        _run([uv, "pip", "install", "--quiet", "--python", str(python), "--only-binary", ":all:", *REQUIREMENTS])
        _run([str(python), "-c", "import gbstats.gbstats"])
        ready.write_text(" ".join(REQUIREMENTS) + "\n")
    return python


def run_driver(cases: list[dict], *, mode: str = "analyze") -> dict:
    """Analyse `cases` with gbstats; returns the driver's JSON ({"results": [...], "seconds": ...})."""
    python = peer_python()
    completed = subprocess.run(
        [str(python), str(DRIVER), mode],
        input=json.dumps({"cases": cases}),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise PeerUnavailable(f"the gbstats driver failed:\n{completed.stderr}")
    return json.loads(completed.stdout)
