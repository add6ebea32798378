"""Photo files found by their platform reference, for erasure and retention."""

from __future__ import annotations

from pathlib import Path

from bot.adapters import media, media_files


def test_files_are_named_as_the_media_adapter_names_them() -> None:
    for ref in ("wa:1234567890", "tg:AgACAgUAAxk-_x", "wa:../../etc/passwd", "tg:a/b c"):
        assert media_files.local_name(ref) == media.local_name(ref)


def test_a_reference_finds_its_own_files_only(tmp_path: Path) -> None:
    for name in ("wa_123", "wa_123.jpg", "wa_123.part", "wa_1234", "wa_12"):
        (tmp_path / name).write_bytes(b"x")
    found = media_files.media_files(tmp_path, ["wa:123"])
    assert [p.name for p in found] == ["wa_123", "wa_123.jpg", "wa_123.part"]
    assert media_files.remove_files(found) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wa_12", "wa_1234"]
    assert media_files.media_files(tmp_path / "none", ["wa:123"]) == []
