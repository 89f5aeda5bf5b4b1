"""Reading a source file safely: regular files only, never blocking, never unbounded.

A changed ``.py`` can be a symlink to ``/dev/zero`` or ``/dev/stdin``, or a FIFO: reading
it naively runs out of memory or blocks forever. The file is opened without blocking,
checked with ``fstat`` on the open descriptor (so it cannot be swapped in between), and
read only when it is a regular file no larger than `MAX_SOURCE_BYTES`.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from obs_ci._errors import NotSource

__all__ = ["MAX_SOURCE_BYTES", "NotSource", "read_source"]

#: The largest file obs-ci reads (4 MiB): far above hand-written code, far below trouble.
MAX_SOURCE_BYTES = 4 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)
_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def read_source(path: Path, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    Raises `NotSource` for anything else (a device, a FIFO, a socket, a larger file) and
    `OSError` when the file cannot be opened (gone, unreadable).
    """
    fd = os.open(path, _FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "special")
            raise NotSource(f"not a regular file ({kind})")
        if info.st_size > limit:
            raise NotSource(f"too large ({info.st_size} bytes; obs-ci reads up to {limit})")
        chunks = []
        size = 0
        while size <= limit:  # the file may grow after fstat: never read past the cap
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise NotSource(f"too large (over {limit} bytes; obs-ci reads up to {limit})")
        return b"".join(chunks)
    finally:
        os.close(fd)
