"""CONTCHECK_PURE=1: run the pure-Python modules even where a compiled build
(setup.py, mypyc) installed extension modules next to them.

Python prefers an extension module to a source file of the same name; this
finder, first on `sys.meta_path`, looks up contcheck's submodules among the
source files only.  Results are identical either way (tests/test_compiled.py).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from importlib.abc import MetaPathFinder
from importlib.machinery import SOURCE_SUFFIXES, FileFinder, ModuleSpec, SourceFileLoader
from types import ModuleType

ENVIRONMENT = "CONTCHECK_PURE"


class SourceOnlyFinder(MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if path is None or not fullname.startswith("contcheck."):
            return None
        for entry in path:
            spec = FileFinder(entry, (SourceFileLoader, SOURCE_SUFFIXES)).find_spec(fullname)
            if spec is not None and spec.origin is not None:
                return spec
        return None


def install() -> None:
    """Prefer source files, if the environment asks for it."""
    if os.environ.get(ENVIRONMENT) and not any(
        isinstance(f, SourceOnlyFinder) for f in sys.meta_path
    ):
        sys.meta_path.insert(0, SourceOnlyFinder())


def compiled() -> bool:
    """Whether the model runs compiled (the extension was built and not bypassed)."""
    from contcheck.model import semantics

    return not (semantics.__file__ or "").endswith(".py")
