"""Every file a command reads (traces, run documents, lemma files), read one
way: a regular file only (a FIFO blocks forever, `/dev/zero` never ends), at
most `MAX_BYTES`, strict UTF-8, and JSON whose numbers, nesting and strings
every later reader can handle.  Anything else is an `InputError`: one line.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

MAX_BYTES = 64 * 1024 * 1024  # far above any trace or document contcheck writes
MAX_DEPTH = 64  # traces nest 6 deep; deeper would exhaust recursive readers
MAX_DIGITS = 30  # an integer of the model fits in a few digits


class InputError(ValueError):
    """An input file that cannot be used: one line, which the caller
    prefixes with the file's name."""


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text; InputError unless it is a readable regular file of
    UTF-8 text no larger than `max_bytes`."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}") from None
    try:
        with os.fdopen(fd, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise InputError(f"{_kind(mode)}, not a regular file")
            data = f.read(max_bytes + 1)
    except OSError as err:
        raise InputError(f"cannot read: {err.strerror}") from None
    if len(data) > max_bytes:
        raise InputError(f"is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(f"is not UTF-8 text (byte {err.start})") from None


def _kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a device"}
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


def read_json(path: Path) -> Any:
    """The file as JSON: InputError for anything `read_text` refuses, bad
    syntax, NaN/Infinity, integers over MAX_DIGITS digits, nesting deeper
    than MAX_DEPTH, or strings that are not Unicode (lone surrogates)."""
    text = read_text(path)
    try:
        doc = json.loads(text, parse_int=_int, parse_constant=_constant)
    except json.JSONDecodeError as err:
        raise InputError(f"is not JSON: {err.msg} at line {err.lineno}") from None
    except RecursionError:
        raise InputError(f"nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as err:
        raise InputError(str(err)) from None
    problem = json_problem(doc)
    if problem:
        raise InputError(problem)
    return doc


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"an integer of {len(text)} digits (at most {MAX_DIGITS})")
    return int(text)


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON number")


def json_problem(doc: Any) -> str:
    """What makes a parsed document unsafe to read on, or "" (iterative, so
    depth is measured without recursing)."""
    pending: list[tuple[Any, int]] = [(doc, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return f"nests deeper than {MAX_DEPTH} levels"
        if isinstance(value, dict):
            pending += [(k, depth) for k in value] + [(v, depth + 1) for v in value.values()]
        elif isinstance(value, list):
            pending += [(v, depth + 1) for v in value]
        elif isinstance(value, str) and not _is_unicode(value):
            return f"a string that is not valid Unicode: {value[:40]!r}"
    return ""


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
