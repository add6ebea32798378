"""Numbered choices: a typed number, a canonical value or an alias picks the same option."""

from __future__ import annotations

from actions.choices import resolve_choice


def test_choices_read_numbers_names_and_aliases():
    assert resolve_choice("kabupaten_kota", "3") == "Lampung Selatan"
    assert resolve_choice("kabupaten_kota", "lamsel") == "Lampung Selatan"
    assert resolve_choice("complaint_category", "99") is None
    assert resolve_choice("document_type", "akte lahir") == "akta_kelahiran"
