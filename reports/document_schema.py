"""What a run document (`check --json`, `document.py`) read back must hold:
every key the report reads, with its type, so a hand-edited or truncated
document is one line (`DocumentError`) rather than a failure deep inside."""

from __future__ import annotations

from typing import Any

from contcheck.model.bounds import LIMITS
from contcheck.properties import PROPERTIES

Schema = dict[str, tuple[type, ...]]

TOP: Schema = {
    "semantics": (str,),
    "bounds": (dict,),
    "exhaustive": (bool,),
    "stop_reason": (str, type(None)),
    "stats": (dict,),
    "properties": (list,),
}
STATS: Schema = {
    "states": (int,),
    "transitions": (int,),
    "depth": (int,),
    "seconds": (int, float),
}
PROPERTY: Schema = {
    "id": (str,),
    "status": (str,),
    "trace_length": (int, type(None)),
    "trace_file": (str, type(None)),
    "message": (str, type(None)),
}
SEMANTICS = ("v44", "v48")


class DocumentError(ValueError):
    """A run document that does not follow the schema (one line)."""


def validate_run_document(doc: Any) -> dict[str, Any]:
    """`doc` itself if it is a run document; DocumentError naming the first
    key that is missing or of the wrong type."""
    _fields(doc, TOP, "the document")
    if doc["semantics"] not in SEMANTICS:
        raise DocumentError(f"unknown semantics {doc['semantics'][:20]!r} (expected v44 or v48)")
    _fields(doc["stats"], STATS, "'stats'")
    for k, v in doc["bounds"].items():
        if k not in LIMITS:
            raise DocumentError(f"'bounds': unknown bound {k[:20]!r}")
        _value(v, (int,), f"'bounds.{k}'")
    missing = [k for k in LIMITS if k not in doc["bounds"]]
    if missing:
        raise DocumentError(f"'bounds' has no {missing[0]!r}")
    known = {p.id for p in PROPERTIES}
    for i, p in enumerate(doc["properties"]):
        _fields(p, PROPERTY, f"'properties[{i}]'")
        if p["id"] not in known:
            raise DocumentError(f"'properties[{i}]': unknown property {p['id'][:20]!r}")
        if p["status"] == "violated" and (p["trace_length"] is None or p["message"] is None):
            raise DocumentError(f"'properties[{i}]': violated without trace_length and message")
    return dict(doc)


def _fields(doc: Any, schema: Schema, where: str) -> None:
    if not isinstance(doc, dict):
        raise DocumentError(f"{where} is not an object")
    for key, types in schema.items():
        if key not in doc:
            raise DocumentError(f"{where} has no {key!r}")
        _value(doc[key], types, f"{where[:-1]}.{key}'" if where.endswith("'") else repr(key))


def _value(value: Any, types: tuple[type, ...], where: str) -> None:
    # bool is an int to Python, but not to a reader of the document
    wrong_bool = isinstance(value, bool) and bool not in types
    if wrong_bool or not isinstance(value, types):
        names = " or ".join("null" if t is type(None) else t.__name__ for t in types)
        raise DocumentError(f"{where} should be {names}, not {type(value).__name__}")
