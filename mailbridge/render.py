"""Templates for mail we send, rendered in Jinja2's sandbox.

Customer text (names, subjects) is data, never template code: the sandbox stops a
template an operator edits from reaching Python internals, and HTML templates autoescape
so ``<script>`` in a subject arrives as text.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment


def builtin_templates_dir() -> Path:
    try:
        found = Path(str(resources.files("mailbridge.templates")))
        if found.is_dir():
            return found
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=4)
def environment(templates_dir: str = "") -> SandboxedEnvironment:
    """Operator templates (``ack.templates_dir``) first, then the built-in ones."""
    loaders = [FileSystemLoader(templates_dir)] if templates_dir else []
    loaders.append(FileSystemLoader(str(builtin_templates_dir())))
    return SandboxedEnvironment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                                autoescape=select_autoescape(enabled_extensions=("html", "html.j2"),
                                                             default_for_string=False),
                                keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)


def render(templates_dir: str, name: str, language: str, variables: dict[str, Any]) -> str:
    """Render ``name`` (e.g. ``ack.txt.j2``) in ``language``: ``ack.ko.txt.j2`` when it
    exists, else ``ack.en.txt.j2``."""
    env = environment(templates_dir)
    stem, _, suffix = name.partition(".")
    template = env.select_template([f"{stem}.{language}.{suffix}", f"{stem}.en.{suffix}", name])
    return template.render(**variables)
