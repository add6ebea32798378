import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.menu import MenuResolver, menu_choice, menu_intents


@pytest.mark.parametrize(
    ("text", "number"), [("2", 2), ("no 3", 3), ("pilih 4.", 4), (" 9 ", 9), ("Nomor 1", 1)]
)
def test_bare_menu_answers(text: str, number: int) -> None:
    assert menu_choice(text) == number


@pytest.mark.parametrize("text", ["2 ktp", "ada 3 lubang", "1871012345670001", "", "menu"])
def test_other_messages_are_not_menu_answers(text: str) -> None:
    assert menu_choice(text) is None


def test_a_typed_number_becomes_the_menu_intent() -> None:
    message = Message(
        data={
            "text": "2",
            "intent": {"name": "inform", "confidence": 0.7},
            "intent_ranking": [{"name": "inform", "confidence": 0.7}],
        }
    )
    MenuResolver({}).process([message])
    assert message.get("intent") == {"name": menu_intents()[2], "confidence": 1.0}
    assert message.get("intent_ranking")[0]["name"] == menu_intents()[2]


def test_menu_intents_are_contract_intents() -> None:
    contract = set(
        "greet goodbye thanks affirm deny cancel help bot_challenge human_handoff check_status "
        "file_complaint apply_service ask_requirements ask_office_info check_tax check_social_aid "
        "emergency ask_food_price inform out_of_scope".split()
    )
    assert set(menu_intents().values()) <= contract
    assert sorted(menu_intents()) == list(range(1, len(menu_intents()) + 1))
