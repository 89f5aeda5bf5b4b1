"""Append whole lines to a file that threads and pre-fork workers share: never a torn line.

The trace file and the ``log_file`` sink both write here. Each append goes out on an
``O_APPEND`` descriptor; when the disk fills up (``ENOSPC``, or ``EFBIG`` past a file-size
limit) after part of it was written, that part is truncated away before the error is
raised. A reader of the file (``obs traces``, a collector's ``otlpjsonfile`` receiver,
``tail``) therefore only ever finds complete lines, and the first append after space
returns starts on a line of its own.

Between processes, the trace file takes an exclusive ``flock`` per append (one per batch),
so the take-back is exact. The log file does not (a lock per line would cost more than the
rest of the write): there the part is taken back only while it is still the end of the
file, so another process's line appended in that same instant is never cut.
"""

from __future__ import annotations

import fcntl
import os
import stat
import threading
from contextlib import suppress
from pathlib import Path

from obs_core.logging._batch import LineBatch, add_message

__all__ = ["LineFile", "LineFileSink"]


class LineFile:
    """Appends whole newline-terminated lines to `path` (parent folders are created).

    The file is opened at the first append and reopened after a fork. With `exclusive`,
    each append holds an ``flock`` on the file, against other processes.
    """

    def __init__(self, path: str | os.PathLike[str], exclusive: bool = True) -> None:
        self.path = Path(path)
        self.exclusive = exclusive
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._pid = 0
        self._unterminated = False  # the file ends inside a line we could not take back

    def open(self) -> None:
        """Create and open the file now rather than at the first append."""
        with self._lock:
            self._descriptor()

    def _descriptor(self) -> int:
        if self._fd is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
            self._fd, self._pid = fd, os.getpid()
            self._unterminated = _ends_inside_a_line(fd)
        return self._fd

    def append(self, data: bytes) -> None:
        """Write `data` (whole lines) at the end of the file, all of it or none of it.

        Raises the `OSError` of a failed write after taking back what it wrote.
        """
        with self._lock:
            fd = self._fd
            if fd is None or self._pid != os.getpid():
                fd = self._descriptor()
            if self._unterminated and _ends_inside_a_line(fd):
                data = b"\n" + data  # a torn line left by someone: end it, do not extend it
            if not self.exclusive:
                written = os.write(fd, data)  # the common case: all of it at once
                if written < len(data):
                    self._write_all(fd, data, written)
                self._unterminated = False
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                self._write_all(fd, data)
                self._unterminated = False
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _write_all(self, fd: int, data: bytes, written: int = 0) -> None:
        """Write the rest of `data` past `written`; on a failure take back all of it."""
        try:
            while written < len(data):
                written += os.write(fd, data[written:])
        except OSError:
            if written:
                self._take_back(fd, written)
            raise

    def _take_back(self, fd: int, written: int) -> None:
        """Truncate the `written` bytes of a failed append, if they are still the last."""
        try:
            end = os.lseek(fd, 0, os.SEEK_CUR)  # O_APPEND: just past our last byte
            if self.exclusive or os.fstat(fd).st_size == end:
                os.ftruncate(fd, end - written)
                return
        except OSError:
            pass
        self._unterminated = True  # the next append starts on a new line

    def close(self) -> None:
        """Close the descriptor (in the process that opened it); a later append reopens."""
        with self._lock:
            if self._fd is not None and self._pid == os.getpid():
                with suppress(OSError):
                    os.close(self._fd)
            self._fd = None


def _ends_inside_a_line(fd: int) -> bool:
    """Whether a regular file's last byte is not a newline (someone left a partial line)."""
    status = os.fstat(fd)
    if not stat.S_ISREG(status.st_mode) or status.st_size == 0:
        return False  # a pipe, a terminal, /dev/null: nothing to repair
    return os.pread(fd, 1, status.st_size - 1) != b"\n"


class LineFileSink:
    """A loguru sink writing each line whole to `path` through a `LineFile`.

    A failed write raises, so loguru reports it on stderr and the other sinks still
    get the line. With a positive `flush_interval` the lines are written in batches
    instead (`LineBatch`): at most that many seconds later, ERROR and above at once.
    """

    def __init__(self, path: str | os.PathLike[str], flush_interval: float = 0.0) -> None:
        self.file = LineFile(path, exclusive=False)
        self.file.open()  # now, so a path that cannot be written is reported at setup
        self.batch: LineBatch | None = None
        if flush_interval > 0:
            self.batch = LineBatch(self.file.append, str(self.file.path), flush_interval)

    def __repr__(self) -> str:
        return f"LineFileSink({str(self.file.path)!r})"

    def write(self, message: str) -> None:
        """Append one formatted line (it ends with a newline)."""
        if self.batch is None:
            self.file.append(message.encode("utf-8", "backslashreplace"))
        else:
            add_message(self.batch, message)

    def stop(self) -> None:
        """Called by loguru when the handler is removed: write what waits, then close."""
        if self.batch is not None:
            self.batch.flush()
        self.file.close()
