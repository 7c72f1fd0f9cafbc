"""Who else has a dataset open: each window holds an operating-system lock on a file beside the labels CSV for
as long as it shows the dataset, so a second window (in this process or another) can tell the curator.

The lock goes with the process: a crash leaves no stale lock behind.
"""

import contextlib
import errno
import os
from pathlib import Path
from typing import IO

if os.name == "nt":
    import msvcrt
else:
    import fcntl

HELD = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, getattr(errno, "EDEADLOCK", errno.EAGAIN)}
"""What locking says when another window holds the lock (flock; msvcrt on Windows)."""


class OpenLock:
    """The lock of one window on one labels CSV; :meth:`release` when the window shows another dataset or closes."""

    def __init__(self, path: Path | None, handle: IO[bytes] | None):
        self.path, self._handle = path, handle

    def release(self) -> None:
        if self._handle is None or self._handle.closed:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()  # while still locked: no other window has it
        self._handle.close()  # closing unlocks


def claim(labels_path: Path) -> OpenLock | None:
    """Lock ``labels_path`` as open in this window; None when another window holds it already.

    The lock file is ``.<name>.open`` beside the CSV. Where it cannot be made (a read-only folder), the lock
    holds nothing and no one is warned.
    """
    path = labels_path.with_name(f".{labels_path.name}.open")
    try:
        handle = open(path, "a+b")
    except OSError:
        return OpenLock(None, None)
    try:
        if os.name == "nt":
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        handle.close()
        if error.errno in HELD:
            return None
        return OpenLock(None, None)  # the file system cannot lock (NFS without a lock daemon): no one is warned
    return OpenLock(path, handle)
