"""The compiled extraction core: chosen only when it matches its sources, and it gives exactly
what the Python sources give.

``MAILBRIDGE_REQUIRE_COMPILED=1`` (set by ``.ci/run``) turns "not compiled" from a skip into a
failure: CI must prove that the install really compiled, since a silent fallback would leave
the published throughput figures unchecked.
"""

from __future__ import annotations

import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mailbridge import compiled

ROOT = Path(__file__).resolve().parents[1]
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _package(tmp_path: Path, *, built: bool, manifest: bool = True) -> Path:
    directory = tmp_path / "extraction"
    directory.mkdir()
    for name in ("__init__", "redaction", "noise"):
        (directory / f"{name}.py").write_text(f"# {name}\n")
        if built:
            (directory / f"{name}{SUFFIX}").write_bytes(b"\x7fELF")
    if manifest:
        (directory / compiled.MANIFEST).write_text(json.dumps(compiled.source_digests(directory)))
    return directory


def test_sources_run_when_nothing_was_compiled(tmp_path):
    sources, why = compiled.decide(_package(tmp_path, built=False), {}, runtime=lambda: True)
    assert sources and "not compiled" in why


def test_compiled_modules_run_when_they_match_their_sources(tmp_path):
    assert compiled.decide(_package(tmp_path, built=True), {}, runtime=lambda: True) == (False, "compiled (mypyc)")


def test_an_edited_source_brings_the_sources_back(tmp_path):
    directory = _package(tmp_path, built=True)
    (directory / "noise.py").write_text("# noise, edited after the build\n")
    sources, why = compiled.decide(directory, {}, runtime=lambda: True)
    assert sources and "noise.py changed since the compile" in why
    assert compiled.changed_sources(directory) == ["noise.py"]


def test_a_source_added_after_the_build_counts_as_changed(tmp_path):
    directory = _package(tmp_path, built=True)
    (directory / "links.py").write_text("# new\n")
    assert compiled.changed_sources(directory) == ["links.py"]


def test_without_a_manifest_nothing_is_trusted(tmp_path):
    sources, _ = compiled.decide(_package(tmp_path, built=True, manifest=False), {}, runtime=lambda: True)
    assert sources


def test_the_environment_switch_and_a_missing_runtime_bring_the_sources_back(tmp_path):
    directory = _package(tmp_path, built=True)
    assert compiled.decide(directory, {compiled.PURE_ENV: "1"}, runtime=lambda: True)[0]
    sources, why = compiled.decide(directory, {}, runtime=lambda: False)
    assert sources and compiled.GROUP in why


# --- the real install ----------------------------------------------------------------------------------


def _require_compiled() -> None:
    if compiled.is_compiled():
        return
    if os.environ.get("MAILBRIDGE_REQUIRE_COMPILED") == "1":
        pytest.fail(f"MAILBRIDGE_REQUIRE_COMPILED=1 but this process runs {compiled.describe()}")
    pytest.skip(f"not compiled here: {compiled.describe()}")


def _run(code: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_install_compiled_the_extraction_core():
    _require_compiled()
    assert compiled.describe() == "compiled (mypyc)"
    assert compiled.changed_sources(compiled.DIRECTORY) == []


def test_the_switch_loads_every_extraction_module_from_its_source():
    out = _run("import json, sys, mailbridge.compiled as c, mailbridge.extraction\n"
               "print(json.dumps([c.describe(), sorted(m.__file__ for n, m in sys.modules.items()"
               " if n.startswith('mailbridge.extraction'))]))", MAILBRIDGE_PURE_PYTHON="1")
    why, files = json.loads(out)
    if compiled.is_compiled():  # else there is nothing to switch off (no compiler here)
        assert why == "Python sources (MAILBRIDGE_PURE_PYTHON=1)"
    assert len(files) > 10 and all(f.endswith(".py") for f in files)


EXTRACT_ALL = """
import json, sys
from email.utils import parsedate_to_datetime
sys.path.insert(0, "benchmarks")
from extract_accuracy import load
from mailbridge import compiled
from mailbridge.extraction import extract
out = []
for r in load():
    sent = parsedate_to_datetime(r["date"]) if r.get("date") else None
    x = extract(r.get("subject") or "", r.get("body") or "", attachment_names=r.get("attachments") or [], sent_at=sent)
    out.append([x.entities.to_json(), x.quoted.to_json(), x.secrets, x.language, x.category, x.urgent,
                x.redacted_subject, x.redacted_text])
print(json.dumps({"runs": compiled.describe(), "out": out}, ensure_ascii=False))
"""


def test_compiled_and_source_extraction_agree_on_the_whole_labelled_corpus():
    _require_compiled()
    sources_run = json.loads(_run(EXTRACT_ALL, MAILBRIDGE_PURE_PYTHON="1"))
    compiled_run = json.loads(_run(EXTRACT_ALL))
    assert (compiled_run["runs"], sources_run["runs"]) == ("compiled (mypyc)", "Python sources (MAILBRIDGE_PURE_PYTHON=1)")
    from_compiled, from_sources = compiled_run["out"], sources_run["out"]
    assert len(from_compiled) == len(from_sources) > 500
    assert [i for i, (a, b) in enumerate(zip(from_compiled, from_sources)) if a != b] == []
