"""Rating a ticket's handling after ``selesai``: reading a score, the question's texts.

The texts and the words a resident may answer with are in ``bot/data/ratings.yml``;
a status change to ``selesai`` queues the question, the actions read the answer. No Rasa here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from types import MappingProxyType

from bot.domain.normalise import normalise_text
from bot.domain.vocabulary import load_yaml

__all__ = [
    "MAX_SCORE",
    "MIN_SCORE",
    "RATING_ANSWER_WINDOW",
    "RatingTexts",
    "rating_texts",
    "read_score",
]

MIN_SCORE = 1
MAX_SCORE = 5
# A question left unanswered this long is dropped: later a bare "4" means the menu again.
RATING_ANSWER_WINDOW = timedelta(days=3)

# A score alone in its message; digits outside 1–5 are no score.
_SCORE = re.compile(
    r"""^\s*
    (?:nilai|nilainya|skor|rating|bintang)?\s*   # "nilai 4"
    ([1-5])\s*                                   # the score: "4"
    (?:[.)!]|bintang|/\s*5|dari\s*5)?\s*$        # "4.", "4 bintang", "4/5", "4 dari 5"
    """,
    re.IGNORECASE | re.VERBOSE,
)
_STARS = re.compile(r"^\s*(?:⭐\s*){1,5}$")


@dataclass(frozen=True)
class RatingTexts:
    question: str
    options: MappingProxyType[int, str]
    words: MappingProxyType[str, int]

    def render_question(self, number: str) -> str:
        return self.question.format(number=number)

    def buttons(self) -> list[dict[str, str]]:
        """Best first; the payload is the bare digit, so a tap reads like a typed answer."""
        return [
            {"title": self.options[score], "payload": str(score)}
            for score in sorted(self.options, reverse=True)
        ]


@lru_cache(maxsize=1)
def rating_texts() -> RatingTexts:
    data = load_yaml("ratings.yml")
    options = {int(score): str(title) for score, title in data["options"].items()}
    if sorted(options) != list(range(MIN_SCORE, MAX_SCORE + 1)):
        raise ValueError("ratings.yml: options must name every score from 1 to 5")
    words = {
        normalise_text(str(word)): int(score)
        for score, phrases in data["words"].items()
        for word in phrases
    }
    return RatingTexts(
        question=str(data["question"]),
        options=MappingProxyType(options),
        words=MappingProxyType(words),
    )


def read_score(text: str) -> int | None:
    """The score 1–5 in a whole answer ("4", "nilai 4", "⭐⭐⭐", "lima", "bagus banget").

    None for anything else: a longer sentence is not read as a score.
    """
    raw = (text or "").strip()
    match = _SCORE.match(raw)
    if match:
        return int(match.group(1))
    if _STARS.match(raw):
        return raw.count("⭐")
    return rating_texts().words.get(normalise_text(raw))
