"""The conversation suite's judge on canned replies, and the scenario files themselves."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.auxil.conversations import (
    Conversation,
    Responses,
    ScenarioError,
    Turn,
    judge_turn,
    load_file,
    load_suite,
    play,
    summarise,
    template_pattern,
)

DOMAIN = Responses.load()
ROOT = Path(__file__).resolve().parents[2]


def rendered(name: str, **values: str) -> dict[str, Any]:
    """The reply Rasa would send for response ``name`` with ``values`` filled in."""
    text = DOMAIN.texts[name][0]
    return {"text": re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), text)}


def judged(expect: dict[str, Any], *replies: dict[str, Any]) -> list[str]:
    return judge_turn(expect, list(replies), DOMAIN)


def test_a_slot_question_is_recognised_by_its_domain_text() -> None:
    reply = rendered("utter_ask_kecamatan")
    assert judged({"asks": "kecamatan"}, reply) == []
    assert judged({"asks": "desa"}, reply) != []
    assert judged({"not_asks": "kecamatan"}, reply) != []


def test_placeholders_match_any_value_and_ask_actions_count() -> None:
    region_list = rendered("utter_ask_kabupaten_kota", options="1. Bandar Lampung\n2. Metro")
    assert judged({"asks": "kabupaten_kota"}, region_list) == []
    summary = rendered("utter_complaint_summary", category="Sampah", location="Kec. Kedaton")
    assert judged({"asks": "complaint_confirmed", "contains_all": ["kedaton"]}, summary) == []
    assert judged({"asks": "application_confirmed"}, summary) != []


def test_a_response_split_into_several_messages_is_still_recognised() -> None:
    whole = rendered("utter_ask_complaint_form_edit_field")["text"]
    question, _, options = whole.partition("\n\n")
    assert judged({"asks": "edit_field"}, {"text": question}, {"text": options}) == []
    assert judged({"asks": "edit_field"}, {"text": options}) != []


def test_example_numbers_in_the_domain_are_no_tickets() -> None:
    question = rendered("utter_ask_ticket_id")
    assert "ADU-" in question["text"]
    assert judged({"ticket": "none", "asks": "ticket_id"}, question) == []
    assert judged({"ticket": "ADU"}, question) != []


def test_a_reworded_question_is_still_the_question() -> None:
    responses = Responses({"utter_ask_desa": ("Nama desa atau kelurahannya apa, Bapak/Ibu?",)}, ())
    reply = {"text": "Nama desa  atau\nkelurahannya apa, Bapak/Ibu?"}
    assert judge_turn({"asks": "desa"}, [reply], responses) == []
    assert judge_turn({"asks": "desa"}, [rendered("utter_ask_desa")], responses) != []


def test_a_template_of_placeholders_only_matches_nothing() -> None:
    assert template_pattern("{header}\n\n{options}\n\n{footer}") is None
    assert "utter_menu" not in DOMAIN.patterns


def test_silence_fails_unless_expected() -> None:
    assert judged({}) == ["replies: no reply at all"]
    assert judged({"not_contains": ["menu"]}) != []
    assert judged({"replies": False}) == []
    assert judged({"replies": False}, {"text": "Baik."}) != []


def test_ticket_numbers_by_kind() -> None:
    filed = rendered("utter_complaint_filed", ticket_number="ADU-261207-7KQ2")
    assert judged({"ticket": "ADU"}, filed) == []
    assert judged({"ticket": "MHN"}, filed) != []
    assert judged({"ticket": "none"}, filed) != []
    # O and 1 are not in the ticket alphabet: this is no ticket number.
    assert judged({"ticket": "any"}, {"text": "ADU-261207-O1KQ"}) != []


def test_emergency_needs_112_in_the_first_reply() -> None:
    first, second = rendered("utter_emergency_112"), {"text": "Utamakan keselamatan."}
    assert judged({"emergency": True}, first, second) == []
    assert judged({"emergency": True}, second, first) != []
    assert judged({"emergency": False}, second, first) != []


def test_words_buttons_and_patterns() -> None:
    reply = {
        "text": "Harga Cabai merah keriting di Metro: Rp 45.000 per kg",
        "buttons": [{"title": "Buat aduan", "payload": "/file_complaint"}],
    }
    assert judged({"contains_any": ["cabai", "lombok"], "matches": r"Rp ?\d"}, reply) == []
    assert judged({"contains_any": ["beras"]}, reply) != []
    assert judged({"not_contains": ["metro"]}, reply) != []
    assert judged({"contains_all": ["cabai", "beras"]}, reply) != []
    assert judged({"buttons_include": ["buat aduan"]}, reply) == []
    assert judged({"buttons_include": ["cek status"]}, reply) != []
    assert judged({"says": "utter_food_price"}, reply) != []
    price = rendered("utter_food_price", commodity="Cabai", place="Metro", price="Rp 45.000")
    assert (
        judged({"says": "utter_food_price", "not_says": "utter_food_price_not_found"}, price) == []
    )


def scenario(tmp_path: Path, turns: list[dict[str, Any]]) -> Path:
    path = tmp_path / "x.yml"
    path.write_text(yaml.safe_dump({"conversations": [{"id": "x", "turns": turns}]}))
    return path


@pytest.mark.parametrize(
    "expect",
    [{"asks_for": "desa"}, {"asks": "desaa"}, {"says": "utter_nope"}, {"ticket": "KTP"}],
)
def test_a_misspelt_check_is_refused_not_passed(tmp_path: Path, expect: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError):
        load_file(scenario(tmp_path, [{"user": "halo", "expect": expect}]), DOMAIN)


def test_play_counts_messages_to_the_ticket_and_reports_the_first_failure() -> None:
    bot = iter(
        [
            [rendered("utter_ask_kecamatan")],
            [],  # silence: the first failure
            [rendered("utter_complaint_filed", ticket_number="ADU-261207-7KQ2")],
            [{"text": "Status tiket ADU-261207-7KQ2: diterima"}],
        ]
    )
    said: list[str] = []

    def say(sender: str, text: str) -> list[dict[str, Any]]:
        said.append(text)
        return next(bot)

    conversation = Conversation(
        id="c",
        description="",
        source="x.yml",
        complaint=True,
        turns=(
            Turn("lapor sampah di metro", {"asks": "kecamatan"}),
            Turn("metro pusat", {"asks": "desa"}, fails_as="silence"),
            Turn("ya", {"ticket": "ADU"}),
            Turn("cek {ticket_typed}", {"contains_all": ["{ticket}", "diterima"]}),
        ),
    )
    outcome = play(conversation, say, DOMAIN)
    assert outcome.failure is not None and outcome.failure.turn == 2
    assert outcome.failure_class == "silence"
    assert outcome.messages_to_ticket == 3
    assert said[3] == "cek adu 261207 7kq2"
    assert summarise([outcome]).median_messages == 3
    assert summarise([outcome]).passed == 0


def test_the_suite_is_large_readable_and_covers_every_regency() -> None:
    suite = load_suite()
    assert len(suite) >= 60
    complaints = [c for c in suite if c.complaint]
    assert len(complaints) >= 15
    for conversation in complaints:
        assert any(t.expect.get("ticket") == "ADU" for t in conversation.turns), conversation.id
    said = " ".join(t.user.lower() for c in suite for t in c.turns)
    regions = yaml.safe_load((ROOT / "bot" / "data" / "regions.yml").read_text())["regions"]
    missing = [
        r["name"]
        for r in regions
        if not any(
            re.search(rf"\b{re.escape(a)}\b", said) for a in [r["name"].lower(), *r["aliases"]]
        )
    ]
    assert missing == []
