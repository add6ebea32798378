"""The main menu: numbered lines and buttons from bot/data/menu.yml."""

from __future__ import annotations

from actions.menu import ActionShowMenu
from tests.auxil.actions import message


async def test_the_menu_has_numbered_lines_buttons_and_112(make_tracker, domain, dispatcher):
    await ActionShowMenu().run(dispatcher, make_tracker(), domain)
    menu = message(dispatcher, "utter_menu")
    lines = menu["options"].splitlines()
    assert lines[0] == "1. Cek status tiket"
    assert len(lines) == len(menu["buttons"]) == 9
    assert menu["buttons"][1] == {"title": "Buat aduan", "payload": "/file_complaint"}
    assert "112" in menu["footer"]
