"""A mail backend for worker subprocesses: each message becomes a file in $MAIL_CAPTURE_DIR.

It works across processes (unlike locmem). A test can make it stall: while the file
`stall-after` holds N and N messages were written, it writes `stalled` (its pid) and waits
there, in the middle of a task, until the file is removed or the process is killed.
"""

import os
import time
import uuid
from email import message_from_bytes
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class CaptureBackend(BaseEmailBackend):
    def send_messages(self, messages):
        out = Path(os.environ["MAIL_CAPTURE_DIR"])
        for message in messages:
            stall = out / "stall-after"
            if stall.exists() and len(captured_files(out)) >= int(stall.read_text()):
                (out / "stalled").write_text(str(os.getpid()))
                while stall.exists():
                    time.sleep(0.05)
            data = message.message().as_bytes()
            temporary = out / f".{uuid.uuid4().hex}.tmp"
            temporary.write_bytes(data)
            temporary.rename(out / f"{uuid.uuid4().hex}.eml")  # appears whole or not at all
        return len(messages)


def captured_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.eml"))


def message_ids(directory: Path) -> list[str]:
    # Unfolded: a long header may be wrapped onto a second line.
    return ["".join(message_from_bytes(path.read_bytes())["Message-ID"].split()) for path in captured_files(directory)]
