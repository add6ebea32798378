"""Photo files residents sent, as kept in ``MEDIA_DIR``: finding and removing them by
their platform reference (erasure and retention; :class:`MediaDirectory` is the
:class:`~bot.services.photo_files.PhotoFiles` port)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path


def local_name(ref: str) -> str:
    """The file name of a platform reference, as ``bot.adapters.media`` names the file it
    keeps (repeated here so the services need not load the HTTP client; a test holds the
    two equal)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", ref)


def media_files(media_dir: Path, refs: Iterable[str]) -> list[Path]:
    """The files kept for these references: the photo and any variant or partial download
    named after it (``<name>``, ``<name>.jpg``, ``<name>.part``)."""
    if not media_dir.is_dir():
        return []
    found: set[Path] = set()
    for ref in refs:
        name = local_name(ref)
        # Not a bare prefix: ``wa_123`` must not take ``wa_1234``'s photo with it.
        found.update(
            p
            for p in media_dir.glob(f"{name}*")
            if p.is_file() and (p.name == name or p.name.startswith(name + "."))
        )
    return sorted(found)


def remove_files(paths: Iterable[Path]) -> int:
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:  # another instance's retention pass got there first
            continue
    return removed


class MediaDirectory:
    """The photos in one directory (``MEDIA_DIR``)."""

    def __init__(self, media_dir: Path) -> None:
        self.media_dir = media_dir

    def find(self, refs: Iterable[str]) -> list[Path]:
        return media_files(self.media_dir, refs)

    def remove(self, paths: Iterable[Path]) -> int:
        return remove_files(paths)
