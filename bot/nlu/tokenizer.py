"""``IndonesianTokenizer``: Rasa tokenizer that normalises Indonesian chat before featurisation.

Tokens carry the normalised word as their text (what featurizers see) and the
character offsets of what the resident typed (what entity extraction needs),
so entity values stay exact substrings of the message while "sy udh blm"
and "saya sudah belum" look the same to the classifier.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.domain.normalise import SLANG_FILE, SlangDictionary, load_dictionary, tokenize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class IndonesianTokenizer(Tokenizer):
    """Whitespace/punctuation tokenizer with slang normalisation for Indonesian."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # None: the dictionary shipped in bot/data/slang.yml.
            "dictionary_path": None,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        path = config.get("dictionary_path")
        self._dictionary: SlangDictionary = load_dictionary(Path(path) if path else SLANG_FILE)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = [
            Token(t.text, t.start, t.end, lemma=t.text) for t in tokenize(text, self._dictionary)
        ]
        if not tokens:
            # Emoji-only or punctuation-only messages still need one token to featurise.
            tokens = [Token(text, 0, len(text))]
        return self._apply_token_pattern(tokens)
