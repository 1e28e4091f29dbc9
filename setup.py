"""Build: the package is described in pyproject.toml; this adds the compiled extraction core.

mailbridge.extraction is compiled with mypyc (it ships with mypy, a build requirement in
pyproject.toml): extraction is the CPU-bound step, and the compiled modules run the same code
about a quarter faster (benchmarks/extract_speed.py). The extensions are optional: without a
C compiler the install still succeeds and the Python sources run (mailbridge/compiled.py says
which one a process uses). MAILBRIDGE_PURE_PYTHON=1 at install time skips compiling.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
from pathlib import Path

from setuptools import setup

EXTRACTION = Path("mailbridge/extraction")


def _compiled_module():
    """mailbridge/compiled.py on its own (importing the package is not needed to build it)."""
    spec = importlib.util.spec_from_file_location("_mailbridge_compiled", "mailbridge/compiled.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _remove_old_build(compiled) -> None:
    """Modules compiled by an earlier (editable) install. A build that fails or is skipped must
    leave none behind: the manifest written below would vouch for them."""
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for old in [*EXTRACTION.glob(f"*{suffix}"), *Path(".").glob(f"{compiled.GROUP}{suffix}")]:
            old.unlink()
    (EXTRACTION / compiled.MANIFEST).unlink(missing_ok=True)


def compiled_extraction() -> list:
    compiled = _compiled_module()
    _remove_old_build(compiled)
    if os.environ.get("MAILBRIDGE_PURE_PYTHON") == "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # built without build isolation and without mypy: Python sources only
        return []
    sources = sorted(EXTRACTION.glob("*.py"))
    # What was compiled, so that an edited source is noticed at run time (mailbridge/compiled.py).
    digests = compiled.source_digests(EXTRACTION)
    (EXTRACTION / compiled.MANIFEST).write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    extensions = mypycify(["--ignore-missing-imports", *map(str, sources)],
                          group_name=compiled.GROUP.removesuffix("__mypyc"))
    for extension in extensions:
        extension.optional = True  # a failed compile leaves the Python sources in charge
    return extensions


setup(ext_modules=compiled_extraction())
