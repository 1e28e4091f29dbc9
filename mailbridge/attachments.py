"""Attachment file names made safe, and attachments written to disk without surprises.

The file name comes from the sender and may be hostile: ``../../etc/passwd``,
``C:\\Windows\\x.png``, NUL bytes, a right-to-left override that makes ``invoice‮gnp.exe``
display as ``invoiceexe.png``, Windows device names (``CON.txt``), or 1,000 characters.
:func:`safe_filename` turns any of these into one plain path component; :func:`save_attachment`
writes under a root directory, never outside it and never over an existing file.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from pathlib import Path

__all__ = ["safe_filename", "save_attachment", "discard", "MAX_FILENAME_BYTES"]

log = logging.getLogger("mailbridge.attachments")

MAX_FILENAME_BYTES = 150  # UTF-8 bytes; ext4/NTFS allow 255, leaving room for "-12" and paths
_MAX_EXTENSION_CHARS = 16  # "tar.gz"-style or ".docx"; longer "extensions" are part of the name

# Control characters (C0, DEL, C1), bidi embeddings/overrides/isolates and marks,
# zero-width characters: invisible or misleading in a file name. Lone surrogates cannot be
# written to a UTF-8 file system at all.
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
# Characters Windows (and SMB shares) refuse in names; "/" and "\\" are handled first.
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"|?*]')
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"COM{i}" for i in "123456789¹²³"]
    + [f"LPT{i}" for i in "123456789¹²³"]
)
_SPACES = re.compile(r"\s+")


def _truncate_utf8(text: str, limit: int) -> str:
    """Longest prefix of ``text`` whose UTF-8 form fits in ``limit`` bytes (no split characters)."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode("utf-8", "ignore")


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext) > _MAX_EXTENSION_CHARS or " " in ext:
        return name, ""
    return stem, "." + ext


def _cap(stem: str, ext: str, limit: int = MAX_FILENAME_BYTES) -> str:
    room = limit - len(ext.encode("utf-8"))
    return _truncate_utf8(stem, room).rstrip(". ") + ext


def safe_filename(name: str, fallback: str = "attachment") -> str:
    """One safe path component derived from a sender-supplied file name.

    Keeps the last path component only (``/`` and ``\\`` both count), removes control,
    bidi and zero-width characters, replaces characters Windows forbids, strips leading
    dots and trailing dots/spaces, prefixes Windows device names with ``_`` and caps the
    UTF-8 length at :data:`MAX_FILENAME_BYTES` while keeping the extension. CJK and other
    letters are kept. Returns ``fallback`` (itself sanitised) when nothing usable is left.

    >>> safe_filename("../../etc/passwd"), safe_filename("invoice\\u202egnp.exe"), safe_filename("CON.txt")
    ('passwd', 'invoicegnp.exe', '_CON.txt')
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = _INVISIBLE.sub("", text)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = _WINDOWS_FORBIDDEN.sub("_", text)
    text = _SPACES.sub(" ", text).lstrip(". ").rstrip(". ")
    if not text:
        if fallback == name or not fallback:
            return "attachment"
        return safe_filename(fallback, fallback="attachment")
    stem, ext = _split_extension(text)
    if stem.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    return _cap(stem, ext)


def _safe_subdir(subdir: str) -> list[str]:
    parts = []
    for component in str(subdir or "").replace("\\", "/").split("/"):
        cleaned = safe_filename(component, fallback="_") if component.strip(". ") else ""
        if cleaned and cleaned != "_":
            parts.append(cleaned)
    return parts


def save_attachment(root: Path, subdir: str, filename: str, payload: bytes) -> Path:
    """Write ``payload`` to ``root/subdir/<safe filename>`` and return the path relative to ``root``.

    ``subdir`` may have several components (``"2026/11/C-1042"``); each is sanitised, and
    ``..``/empty components are dropped. The directories are created. An existing file is
    never overwritten: ``scan.png`` becomes ``scan-1.png``, ``scan-2.png``… (created with
    ``O_EXCL``, so two writers cannot race onto one name). Raises ``ValueError`` if the
    target would resolve outside ``root`` (a symlink planted inside the tree), and
    ``OSError`` if the disk refuses.

    >>> save_attachment(Path("/srv/att"), "C-1042", "../../scan.png", b"...")  # doctest: +SKIP
    PosixPath('C-1042/scan.png')
    """
    root = Path(root).resolve()
    target_dir = root.joinpath(*_safe_subdir(subdir))
    target_dir.mkdir(parents=True, exist_ok=True)
    resolved_dir = target_dir.resolve()
    if not resolved_dir.is_relative_to(root):
        raise ValueError(f"attachment directory {subdir!r} resolves outside {root}")
    stem, ext = _split_extension(safe_filename(filename))
    for n in range(10_000):
        name = _cap(stem, ext) if n == 0 else _cap(stem, f"-{n}{ext}")
        path = resolved_dir / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o640)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(payload)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path.relative_to(root)
    raise FileExistsError(f"no free name for {filename!r} in {resolved_dir}")


def discard(paths: list[Path]) -> None:
    """Delete files whose rows were rolled back, and empty ``paths``.

    A message that fails after the store step, or a batch that fails before its commit, takes
    its Attachment rows with it; the files written for them would stay as orphans, and a
    replay would write them again next to the old ones. Only a rollback that is certain comes
    here: a failed commit is not (the database may have committed before the error).
    """
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # the row is gone either way; the file is only garbage
            log.warning("could not remove %s after its row was rolled back: %s", path, exc.strerror)
    paths.clear()
