"""Which extraction core runs: the mypyc-compiled one, or the Python sources.

The build (``setup.py``) compiles ``mailbridge.extraction`` with mypyc when it can: extraction
is the one CPU-bound step (issue 3 asks for 3,000 messages a second on one core) and the
compiled modules run the same code about a quarter faster. A compiled module sits next to its
source and wins on import. The sources are loaded instead when

* ``MAILBRIDGE_PURE_PYTHON=1`` is set (debugging; the test run that covers the fallback), or
* a source no longer matches what was compiled (an edited checkout of an editable install:
  silently running the old compiled code would be far worse than running slower).

A machine without a C compiler builds no compiled modules at all and simply runs the sources.
:func:`describe` says which one runs and why; ``mailbridge check`` and the daemon's start-up
log print it.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Mapping, Sequence

PACKAGE = "mailbridge.extraction"
DIRECTORY = Path(__file__).resolve().parent / "extraction"
MANIFEST = "compiled-from.json"  # written by setup.py: the sha256 of every source it compiled
GROUP = "mailbridge_extraction__mypyc"  # mypyc's shared library (setup.py: group_name), a top-level module
PURE_ENV = "MAILBRIDGE_PURE_PYTHON"


def source_digests(directory: Path) -> dict[str, str]:
    """sha256 of every module source in ``directory``, by file name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.glob("*.py"))}


def has_compiled_modules(directory: Path) -> bool:
    return any((directory / f"__init__{suffix}").exists() for suffix in importlib.machinery.EXTENSION_SUFFIXES)


def has_runtime() -> bool:
    """Is mypyc's shared library for the package installed? (The modules are shims into it.)"""
    return importlib.util.find_spec(GROUP) is not None


def changed_sources(directory: Path) -> list[str]:
    """Sources that differ from what was compiled (all of them when the manifest is missing)."""
    try:
        compiled = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return sorted(p.name for p in directory.glob("*.py"))
    current = source_digests(directory)
    return sorted(name for name in current.keys() | compiled.keys() if current.get(name) != compiled.get(name))


def decide(directory: Path, environ: Mapping[str, str],
           runtime: Callable[[], bool] = has_runtime) -> tuple[bool, str]:
    """(load the sources?, why) for the package in ``directory``."""
    if not has_compiled_modules(directory):
        return True, "Python sources (not compiled: no C compiler or mypy at install time)"
    if environ.get(PURE_ENV) == "1":
        return True, f"Python sources ({PURE_ENV}=1)"
    if not runtime():
        return True, f"Python sources (compiled modules found without their runtime {GROUP})"
    changed = changed_sources(directory)
    if changed:
        return True, (f"Python sources ({', '.join(changed[:3])}{' ...' if len(changed) > 3 else ''}"
                      " changed since the compile: reinstall to compile again)")
    return False, "compiled (mypyc)"


class _SourceFinder(importlib.abc.MetaPathFinder):
    """Finds ``mailbridge.extraction`` and its modules as ``.py`` files, skipping the ``.so``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname == PACKAGE:
            return importlib.util.spec_from_file_location(
                fullname, self.directory / "__init__.py", submodule_search_locations=[str(self.directory)])
        if fullname.startswith(PACKAGE + ".") and fullname.count(".") == 2:
            source = self.directory / (fullname.rsplit(".", 1)[1] + ".py")
            if source.exists():
                return importlib.util.spec_from_file_location(fullname, source)
        return None


_chosen: str | None = None


def install() -> None:
    """Choose once per process, before ``mailbridge.extraction`` is first imported."""
    global _chosen
    if _chosen is not None:
        return
    sources, _chosen = decide(DIRECTORY, os.environ)
    if sources:  # where nothing was compiled, the finder finds what the default one would
        sys.meta_path.insert(0, _SourceFinder(DIRECTORY))


def describe() -> str:
    """Which extraction core this process runs, and why."""
    install()
    assert _chosen is not None
    return _chosen


def is_compiled() -> bool:
    """Does this process really run compiled extraction modules? (Asks the loaded module.)"""
    import mailbridge.extraction.redaction as module

    return not (module.__file__ or "").endswith(".py")
