"""Translate and outline a model in a child process with a wall-clock timeout and a memory limit.

PySD's parsers work on the whole file in Python; a crafted model can make them run for minutes or
take gigabytes. The web never translates an upload itself: the worker calls `outline_in_child`,
which starts `python -m learnloop.analytics.systems.translate_child`; the child lowers its own
address-space and CPU limits (resource.setrlimit) before importing PySD, and the parent kills it
when the wall-clock time is up. Every failure is a SimulationError with a message for the page.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from learnloop.analytics.systems.errors import SimulationError

DEFAULT_TIMEOUT_SECONDS = 60.0
DEFAULT_MEMORY_MB = 2_048


def outline_in_child(path: Path, *, timeout: float = DEFAULT_TIMEOUT_SECONDS, memory_mb: int = DEFAULT_MEMORY_MB,
                     untrusted: bool = True) -> dict:
    """The model's outline (outline.Outline.as_dict()), worked out in a limited child process."""
    path = Path(path)
    command = [sys.executable, "-m", "learnloop.analytics.systems.translate_child", str(path),
               str(timeout), str(memory_mb), "untrusted" if untrusted else "trusted"]
    # The child imports learnloop the way this process did (an editable install or a source tree).
    # One BLAS thread: each thread reserves address space the memory limit would count.
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(entry for entry in sys.path if entry),
                   "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    try:
        # A child killed at the limit cleans nothing up: its temporary files go in a folder removed here.
        with tempfile.TemporaryDirectory(prefix="learnloop-translate-") as scratch:
            # Our own interpreter and module; the model is only a path argument, never a shell word.
            finished = subprocess.run(command, capture_output=True, timeout=timeout,  # noqa: S603
                                      env={**environment, "TMPDIR": scratch}, check=False)
    except subprocess.TimeoutExpired:
        raise SimulationError(f"{path.name}: translating the model took longer than {timeout:g} seconds and was "
                              "stopped. Simplify the model or ask an administrator to raise the limit.") from None
    answer = _answer(finished.stdout)
    if answer is None:
        if finished.returncode < 0 or b"MemoryError" in finished.stderr:
            raise SimulationError(f"{path.name}: translating the model needed more than {memory_mb:,} MB of memory "
                                  "(or time) and was stopped.")
        raise SimulationError(f"{path.name}: the translation stopped without an answer (exit status "
                              f"{finished.returncode}); it may have needed more than {memory_mb:,} MB of memory.")
    if "error" in answer:
        raise SimulationError(answer["error"])
    return answer["outline"]


def _answer(stdout: bytes) -> dict | None:
    lines = stdout.decode("utf-8", errors="replace").strip().splitlines()
    try:
        return json.loads(lines[-1]) if lines else None
    except ValueError:
        return None


def _limit(timeout: float, memory_mb: int) -> None:
    import resource

    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = max(1, int(timeout) + 1)  # the parent's wall clock stops it first; this is a second fence
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def main(argv: list[str]) -> int:
    path, timeout, memory_mb, trust = argv
    _limit(float(timeout), int(memory_mb))
    try:
        from learnloop.analytics.systems.outline import outline

        answer = {"outline": outline(Path(path), untrusted=trust == "untrusted").as_dict()}
    except SimulationError as error:
        answer = {"error": str(error)}
    except MemoryError:
        answer = {"error": f"{Path(path).name}: translating the model needed more than {int(memory_mb):,} MB of "
                           "memory and was stopped."}
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
