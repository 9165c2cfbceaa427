"""Progress for long operator commands: a live line on a terminal, plain lines in logs."""

import sys
import time


class Progress:
    def __init__(self, label: str, total: int | None = None, stream=None, every_seconds: float = 2.0):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.interactive = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every_seconds = every_seconds
        self._last = 0.0

    def step(self, amount: int = 1, note: str = "") -> None:
        self.done += amount
        now = time.monotonic()
        if self.interactive or now - self._last >= self.every_seconds:
            self._last = now
            self._write(note)

    def finish(self, note: str = "done") -> None:
        self._write(note, final=True)

    def _write(self, note: str, final: bool = False) -> None:
        if self.total:
            share = min(100, round(100 * self.done / self.total))
            text = f"{self.label}: {share:3d}% ({self.done}/{self.total})"
        else:
            text = f"{self.label}: {self.done}"
        if note:
            text += f" {note}"
        if self.interactive:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def stage(message: str, stream=None) -> None:
    """Announce one step of a multi-step command."""
    stream = stream or sys.stderr
    stream.write(f"==> {message}\n")
    stream.flush()
