"""Every file a command writes, written one way: whole or not at all.

A regular file is written to a fresh temporary file beside it and renamed
over it, so an interrupt or a full disk leaves the old file and no
temporary one.  A symlink is followed (its target is replaced, the link
stays).  A character device, a FIFO or `-` (stdout) is written directly:
renaming over `/dev/null` would replace the device with a file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from pathlib import Path

STDOUT = Path("-")


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` (see above); OSError on failure."""
    if path == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    target = Path(os.path.realpath(path))
    mode = _mode(target)
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    if mode is not None and not stat.S_ISREG(mode):
        with open(target, "w", encoding="utf-8") as f:  # a device or a FIFO
            f.write(text)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else _default_mode())
        os.replace(tmp, target)
    except BaseException:  # an interrupt too: never leave the temporary file
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def unwritable(path: Path, directory: bool = False) -> str:
    """Why `path` (a file, or a `directory` of files) cannot be written, or ""
    if it can: asked before a long run, so its result is not lost at the end."""
    if path == STDOUT and not directory:
        return ""
    target = Path(os.path.realpath(path))
    mode = _mode(target)
    if mode is not None:
        if stat.S_ISDIR(mode) != directory:
            return "is a directory" if not directory else "is not a directory"
        if not os.access(target, os.W_OK):
            return "permission denied"
        if directory or not stat.S_ISREG(mode):
            return ""  # a device or FIFO is opened as it is; a directory holds the files
    return _creatable(target if directory else target.parent)


def _creatable(folder: Path) -> str:
    """Files can be created in `folder`, or in the folders mkdir makes for it."""
    existing = folder
    while _mode(existing) is None and existing != existing.parent:
        existing = existing.parent
    mode = _mode(existing)
    if mode is None or not stat.S_ISDIR(mode):
        return f"{existing} is not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"cannot create files in {existing}: permission denied"
    return ""
