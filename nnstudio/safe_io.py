"""Open files that come from outside safely: regular files only, size caps, bounded reads.

Standard library only, shared by every reader (projects, CSV, NPZ, IDX). A path that is a
directory, a FIFO, a socket or a device (``/dev/zero``) is refused at once with a sentence,
before anything is read: opening uses ``O_NONBLOCK`` so even a FIFO without a writer cannot
block, and the type is checked again on the open descriptor. Sentences name the file through
``shown_path`` and echo user text through ``echo``, both capped in length.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

#: A path or a piece of user text is echoed in a message up to about this many characters.
MAX_SHOWN_PATH = 120
MAX_ECHO = 60
_CHUNK = 1 << 20


class FileRefusedError(Exception):
    """A file cannot be read safely; ``str(error)`` is one sentence naming the file and
    ``reason`` the bare clause ("it is a folder, not a regular file") for callers that
    word their own sentence."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` as text for a message, shortened in the middle beyond ``MAX_SHOWN_PATH``."""
    text = os.fspath(path)
    if len(text) <= MAX_SHOWN_PATH:
        return text
    tail = MAX_SHOWN_PATH * 2 // 3
    return text[: MAX_SHOWN_PATH - tail - 1] + "…" + text[-tail:]


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut in the middle with an ellipsis when it is longer than ``limit``."""
    if len(text) <= limit:
        return text
    return text[: limit * 2 // 3] + "…" + text[-(limit // 4):]


def echo(text: str, limit: int = MAX_ECHO) -> str:
    """``repr(text)`` for a message, cut in the middle with its length when it is long."""
    if len(text) <= limit:
        return repr(text)
    head = text[: limit * 2 // 3]
    tail = text[-(limit // 6):]
    return f"{head!r}…{tail!r} ({len(text):,} characters)"


def format_bytes(count: int) -> str:
    """``1536`` -> ``"1.5 KB"`` (powers of 1024; any size, however large)."""
    if count < 1024:
        return f"{count} bytes"
    if count >= 1024**4:
        return f"{count // 1024**3:,} GB"  # integer division: no float overflow
    for power, unit in ((3, "GB"), (2, "MB"), (1, "KB")):
        if count >= 1024**power or power == 1:
            return f"{count / 1024**power:,.1f} {unit}"
    raise AssertionError("unreachable")


def _kind(mode: int) -> str | None:
    """What a non-regular file is, as a phrase; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a special file"


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__


def open_regular(path: str | os.PathLike[str], what: str,
                 max_bytes: int | None = None) -> BinaryIO:
    """Open ``path`` for binary reading if it is a regular file of at most ``max_bytes``.

    what: how the file is named in sentences ("CSV file", "project file"). Raises
    ``FileRefusedError`` for a missing, unreadable, special or too large file.
    """
    name = shown_path(path)
    try:
        kind = _kind(os.stat(path).st_mode)
    except FileNotFoundError as error:
        raise FileRefusedError(f"The {what} {name} does not exist.", _reason(error)) from None
    except OSError as error:
        raise _unreadable(what, name, error) from None
    except ValueError:  # a NUL character in the path
        raise FileRefusedError(f"The {what} {name!r} is not a valid path.",
                               "it is not a valid path") from None
    if kind is not None:
        raise _special(what, name, kind)
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
             | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise _unreadable(what, name, error) from None
    try:
        info = os.fstat(fd)  # the file opened, not whatever the path names now
        kind = _kind(info.st_mode)
        if kind is not None:
            raise _special(what, name, kind)
        if max_bytes is not None and info.st_size > max_bytes:
            size, limit = format_bytes(info.st_size), format_bytes(max_bytes)
            raise FileRefusedError(
                f"The {what} {name} is {size}, larger than the {limit} NN Studio reads.",
                f"it is {size}, larger than the {limit} NN Studio reads as a {what}")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _special(what: str, name: str, kind: str) -> FileRefusedError:
    return FileRefusedError(f"The {what} {name} is {kind}, not a regular file.",
                            f"it is {kind}, not a regular file")


def _unreadable(what: str, name: str, error: OSError) -> FileRefusedError:
    return FileRefusedError(f"Cannot read the {what} {name}: {_reason(error)}.",
                            _reason(error))


def read_capped(stream: BinaryIO, limit: int) -> bytes | None:
    """Everything ``stream`` holds if it is at most ``limit`` bytes, else None (read in
    pieces, so a file that grows while read never takes more than ``limit`` + 1 MB)."""
    parts: list[bytes] = []
    total = 0
    while True:
        part = stream.read(min(_CHUNK, limit + 1 - total))
        if not part:
            return b"".join(parts)
        parts.append(part)
        total += len(part)
        if total > limit:
            return None


def read_regular(path: str | os.PathLike[str], what: str, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (see ``open_regular``)."""
    with open_regular(path, what, max_bytes) as stream:
        try:
            data = read_capped(stream, max_bytes)
        except OSError as error:
            raise _unreadable(what, shown_path(path), error) from None
    if data is None:
        limit = format_bytes(max_bytes)
        raise FileRefusedError(
            f"The {what} {shown_path(path)} grew beyond {limit} while it was read.",
            f"it grew beyond {limit} while it was read")
    return data


def available_memory() -> int | None:
    """Bytes of memory a new allocation can use now (Linux ``MemAvailable``, else free
    physical pages); None when the system does not say."""
    try:
        with open("/proc/meminfo", "rb") as stream:
            for line in stream:
                if line.startswith(b"MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, OSError, ValueError):
        return None


def memory_shortfall(nbytes: int) -> str | None:
    """A clause such as ``"needs 9.3 GB of memory, but only 3.1 GB are free"`` when
    ``nbytes`` would not fit in the memory available now; None when it fits or is unknown."""
    free = available_memory()
    if free is None or nbytes <= free * 0.9:
        return None
    return (f"needs {format_bytes(nbytes)} of memory, but only {format_bytes(free)} "
            "are free")


__all__ = ["MAX_ECHO", "MAX_SHOWN_PATH", "FileRefusedError", "available_memory", "clip", "echo",
           "format_bytes", "memory_shortfall", "open_regular", "read_capped", "read_regular",
           "shown_path"]
