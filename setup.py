"""Build: the hot path of the explicit search compiled with mypyc.

pyproject.toml maps `contcheck.model` to model/ (and so on), but mypyc names
modules after their paths, so the compiled modules are staged under
build/mypyc-src/contcheck/ as symlinks (as .ci/typecheck does for mypy).  The
stage holds only what the compiled modules import, with empty package
`__init__`s where a real one would pull in the rest of the tool.

CONTCHECK_PURE=1 at build time skips compilation (a pure-Python install); at
run time it makes the compiled modules load from source (contcheck/_pure.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
STAGE = Path("build") / "mypyc-src"

# Folder in the source tree -> package; every module in it is compiled,
# except the package `__init__` (re-exports only).
COMPILED_PACKAGES = {"model": "model", "properties": "properties"}
# Single compiled modules of packages staged with an empty `__init__`.
COMPILED_FILES = {
    "checker/explicit/expansion.py": "checker/explicit/expansion.py",
    "checker/explicit/keycache.py": "checker/explicit/keycache.py",
    "checker/explicit/store.py": "checker/explicit/store.py",
}


def _stage() -> list[str]:
    """Symlink the compiled modules into STAGE; the paths mypyc compiles."""
    root = ROOT / STAGE / "contcheck"
    root.mkdir(parents=True, exist_ok=True)
    (root / "__init__.py").write_text("")
    for package in ("checker", "checker/explicit"):
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").write_text("")
    paths = []
    for source, package in COMPILED_PACKAGES.items():
        link = root / package
        if not link.is_symlink():
            link.symlink_to(ROOT / source, target_is_directory=True)
        paths += [
            str(STAGE / "contcheck" / package / p.name)
            for p in sorted((ROOT / source).glob("*.py"))
            if p.name != "__init__.py"
        ]
    for source, target in COMPILED_FILES.items():
        link = root / target
        if not link.is_symlink():
            link.symlink_to(ROOT / source)
        paths.append(str(STAGE / "contcheck" / target))
    return paths


def _extensions() -> list[object]:
    if os.environ.get("CONTCHECK_PURE"):
        return []
    from mypyc.build import mypycify

    return list(
        mypycify(
            ["--config-file", str(ROOT / "pyproject.toml"), *_stage()],
            opt_level="3",
            target_dir=str(Path("build") / "mypyc-c"),
        )
    )


setup(ext_modules=_extensions())
