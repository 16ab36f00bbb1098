"""Mail backends the worker integration tests give a real Celery worker process through EMAIL_BACKEND."""

import os
import time
from pathlib import Path

from django.core.mail.backends import filebased

STALL_AT = "DONGNAM_TEST_STALL_AT"
STALL_MARKER = "DONGNAM_TEST_STALL_MARKER"


class StallingFileBackend(filebased.EmailBackend):
    """The file backend, except that the message numbered ``$DONGNAM_TEST_STALL_AT`` (counting the messages
    already written) hangs before it is written, after touching ``$DONGNAM_TEST_STALL_MARKER``: the test
    then kills the worker in the middle of that send."""

    def send_messages(self, messages):
        stall_at = int(os.environ.get(STALL_AT) or 0)
        if stall_at and written(Path(self.file_path)) + 1 == stall_at:
            Path(os.environ[STALL_MARKER]).write_text(str(os.getpid()))
            time.sleep(120)
        return super().send_messages(messages)


def written(folder: Path) -> int:
    """The messages the file backend wrote into ``folder``: each is followed by a line of 79 dashes (several
    may share a file, whose name only has the second and the backend object's id)."""
    separator = "-" * 79
    return sum(
        line == separator for path in folder.glob("*.log") for line in path.read_text(errors="replace").splitlines()
    )
