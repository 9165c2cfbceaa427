"""Analyzing texts in a second process: a search index rebuild reads entries and feeds the
index on one core while the other analyzes (stems) their texts, which is most of a rebuild's
Python time.

The parent starts `python -m learnloop.analytics.terms_worker`, sends batches of
(title, rest, tags) triples and receives, per batch in order, each document's indexed terms as
one space-separated string: `text.weighted_terms`, the same function an index uses in-process,
so both ways index the same terms.

Batches travel as pickles over the child's stdin and stdout: a private pipe between two
processes of ours, never data from elsewhere (so unpickling is safe here). A thread of the parent writes them,
so the parent never waits on a full pipe while the child waits to hand back a result.
"""

import contextlib
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path

from learnloop.analytics import text


class WorkerFailed(RuntimeError):
    """The analyzing process stopped or answered nonsense."""


class TermsWorker:
    def __init__(self, weights: dict[str, int]):
        """Start the child with the field weights and this process's analyzer switches (a
        benchmark may turn identifiers off)."""
        package_root = str(Path(__file__).resolve().parents[2])
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [sys.executable, "-m", "learnloop.analytics.terms_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment,
        )
        self._outbox: queue.Queue = queue.Queue()
        self._writer = threading.Thread(target=self._write, name="terms-worker-writer", daemon=True)
        self._writer.start()
        self._outbox.put({"weights": weights, "identifiers": text.IDENTIFIERS})

    def _write(self) -> None:
        stdin = self._process.stdin
        try:
            while (message := self._outbox.get()) is not None:
                pickle.dump(message, stdin, protocol=pickle.HIGHEST_PROTOCOL)
                stdin.flush()
        except OSError:
            pass  # the child is gone (a broken pipe); result() says so
        finally:
            with contextlib.suppress(OSError):  # closing flushes, which a broken pipe refuses
                stdin.close()

    def submit(self, texts: list[tuple[str, str, str]]) -> None:
        """Queue a batch of (title, rest, tags) triples; results come back in submission order."""
        self._outbox.put(texts)

    def result(self) -> list[str]:
        """The next batch's terms, one string per triple."""
        try:
            found = pickle.load(self._process.stdout)  # noqa: S301 (our own child, see above)
        except (EOFError, pickle.UnpicklingError, OSError) as error:
            raise WorkerFailed(f"the analyzing process stopped (exit code {self._process.poll()})") from error
        if not isinstance(found, list):
            raise WorkerFailed("the analyzing process answered something else than a list of terms")
        return found

    def close(self) -> None:
        self._outbox.put(None)
        self._writer.join(timeout=5)
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()


def _serve(stdin, stdout) -> None:
    settings = pickle.load(stdin)  # noqa: S301 (our own parent)
    weights = settings["weights"]
    text.IDENTIFIERS = settings["identifiers"]
    while True:
        try:
            texts = pickle.load(stdin)  # noqa: S301 (our own parent)
        except EOFError:
            return
        found = [" ".join(text.weighted_terms(title, rest, tags, weights)) for title, rest, tags in texts]
        pickle.dump(found, stdout, protocol=pickle.HIGHEST_PROTOCOL)
        stdout.flush()


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
