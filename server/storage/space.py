"""The disk under the database: its free space, a reserve file kept beside the database, and *full mode*, in
which the writer (``database.Database``) writes only what a person must hear of (see its docstring)."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import time
from pathlib import Path

import msgspec

from server.errors import StorageFull

__all__ = ["DiskState", "Space", "out_of_space"]

log = logging.getLogger("andian.storage")

# Full mode ends once this much is free besides the reserve (at least twice the reserve): room to work again.
RESUME_FREE_BYTES = 1024 * 1024


def out_of_space(exc: BaseException) -> bool:
    """SQLite's "database or disk is full", or a file write that found no space (or quota) left."""
    if isinstance(exc, sqlite3.Error):
        return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


class DiskState(msgspec.Struct, frozen=True):
    """The disk that holds the database, as the health check tells it. ``full``: readings are refused (507) until
    space is freed; alarm transitions are still stored, from the reserve once it is ``"in use"``
    (docs/operations.md, "Full disk")."""

    full: bool
    free_bytes: int
    reserve: str  # "held", "in use" (freed for alarm writes) or "none" (switched off, or no room to make it)
    since: float | None = None  # when full mode began
    cause: str | None = None


class Space:
    """The disk under the database: its free space, the reserve file beside the database, and full mode.

    Only the writer thread changes it; ``state`` may be read from any thread.
    """

    def __init__(self, db: Path, reserve_bytes: int) -> None:
        self.dir = db.parent
        self.reserve = db.with_name(db.name + ".reserve")
        self.reserve_bytes = max(0, reserve_bytes)
        self.held = False
        self.released = False  # freed for alarm writes in this spell of full mode
        self.full_since: float | None = None
        self.cause: str | None = None

    def free(self) -> int:
        """Bytes an unprivileged writer may still use (root's own 5 % on ext4 does not count)."""
        st = os.statvfs(self.dir)
        return st.f_bavail * st.f_frsize

    def open(self) -> None:
        """At start: keep the reserve a previous run made, or make it if there is room."""
        if not self.reserve_bytes:
            self.reserve.unlink(missing_ok=True)  # switched off: give its space back
            return
        try:
            self.held = self.reserve.stat().st_blocks * 512 >= self.reserve_bytes
        except FileNotFoundError:
            self.held = False
        if not self.held:
            self._make()
        self.check()

    def check(self) -> None:
        """Before each job: full mode begins below the reserve's size of free space and ends once space is back."""
        if not self.reserve_bytes and self.full_since is None:
            return
        try:
            free = self.free()
        except OSError:  # the directory is gone or unreadable: SQLite will say what is wrong
            return
        if self.full_since is None:
            if free < self.reserve_bytes:
                self._enter(f"{free} bytes free, less than the reserve of {self.reserve_bytes}")
            elif not self.held and free >= 3 * self.reserve_bytes:
                self._make()
            return
        missing = 0 if self.held else self.reserve_bytes
        enough = free >= max(2 * self.reserve_bytes, RESUME_FREE_BYTES) + missing
        if enough and (not self.reserve_bytes or self.held or self._make()):
            log.warning("disk space is back (%d bytes free in %s): readings are stored again", free, self.dir)
            self.full_since = self.cause = None
            self.released = False

    def refusal(self) -> StorageFull:
        return StorageFull(f"the server's disk is full ({self.cause}); readings are not being stored, alarms still "
                           "are — free space on the disk that holds the database (ANDIAN_DB), then send again")

    def failed(self, exc: BaseException, important: bool) -> StorageFull:
        """A write found no space and was undone: full mode; an important one may run again on the reserve."""
        if self.full_since is None:
            self._enter(f"a write found no space left: {exc}")
        if important and self.release():
            error = StorageFull(self.refusal().detail, retry=True)
        elif important:
            error = StorageFull(f"the server's disk is full ({self.cause}) and no room is left even for alarms: "
                                "nothing is being stored — free space on the disk that holds the database (ANDIAN_DB) "
                                "now")
        else:
            error = self.refusal()
        error.__cause__ = exc
        return error

    def release(self) -> bool:
        """Free the reserve for the writes that carry alarms; True if it was held."""
        if not self.held:
            return False
        self.reserve.unlink(missing_ok=True)
        self.held = False
        self.released = True
        log.warning("disk full: freed the %d-byte reserve %s for alarm writes", self.reserve_bytes, self.reserve)
        return True

    def state(self) -> DiskState:
        try:
            free = self.free()
        except OSError:
            free = 0
        reserve = "held" if self.held else "in use" if self.released else "none"
        return DiskState(self.full_since is not None, free, reserve, self.full_since, self.cause)

    def _enter(self, cause: str) -> None:
        self.full_since = time.time()
        self.cause = cause
        log.warning("disk full in %s (%s): readings are refused (507) until space is freed; alarm transitions "
                    "use the reserve", self.dir, cause)

    def _make(self) -> bool:
        """Allocate the reserve (really: blocks, not a sparse file), if that leaves at least as much free."""
        try:
            if self.free() < 2 * self.reserve_bytes:
                return False
            _allocate(self.reserve, self.reserve_bytes)
        except OSError as exc:
            log.warning("could not make the disk reserve %s: %s", self.reserve, exc)
            self.reserve.unlink(missing_ok=True)
            return False
        self.held = True
        return True


def _allocate(path: Path, size: int) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.posix_fallocate(fd, 0, size)  # glibc writes the blocks itself where the file system cannot
        os.fsync(fd)
    finally:
        os.close(fd)
