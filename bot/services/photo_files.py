"""The photo files residents sent, as erasure and retention see them.

``bot.adapters.media_files.MediaDirectory`` implements :class:`PhotoFiles` on
``MEDIA_DIR``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

__all__ = ["PhotoFiles"]


class PhotoFiles(Protocol):
    def find(self, refs: Iterable[str]) -> list[Path]:
        """The files kept for these platform references (variants and partial ones too)."""

    def remove(self, paths: Iterable[Path]) -> int:
        """Delete ``paths``; how many went (one already gone is no error)."""
