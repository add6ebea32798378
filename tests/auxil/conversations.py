"""The conversation suite: scenario files, the judge of a turn, and playing a conversation.

Scenarios live in ``tests/conversations/*.yml`` (docs/conversations.md has the
format). Each turn's ``expect`` checks are judged on the bot's replies to that
turn only, the way a resident would notice them: a reply at all, a key fact
("112", a ticket number, a price), or the question for a slot. Questions are
recognised by the response texts in ``domain.yml`` (placeholders match any
text), so a reworded question still counts as the same question.

Used by ``scripts/bench_conversations.py`` (against any running Tabik) and by
the end-to-end test (against ``make serve``).
"""

from __future__ import annotations

import re
import statistics
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from bot.config import PROJECT_ROOT

SUITE_DIR = PROJECT_ROOT / "tests" / "conversations"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"

TICKET_PATTERN = r"\b(ADU|MHN)-\d{6}-[2-9A-HJ-KMNP-Z]{4,8}\b"
TICKET = re.compile(TICKET_PATTERN)

# Slots whose question is said by a form's own ask action with a response not
# named utter_ask_<slot>: the summary is the question for the confirmation,
# the location question leads the complaint's kabupaten/kota list, and a chat
# with tickets is asked for its number with its list.
ASKED_BY: Mapping[str, tuple[str, ...]] = {
    "kabupaten_kota": ("utter_ask_location_pin",),
    "complaint_confirmed": ("utter_complaint_summary",),
    "application_confirmed": ("utter_application_summary",),
    "ticket_id": ("utter_ask_ticket_id_from_list",),
}

# What a failing check says about the conversation, when the turn names no class.
DEFAULT_CLASS: Mapping[str, str] = {
    "replies": "silence",
    "emergency": "emergency missed",
    "asks": "asked the wrong thing",
    "not_asks": "asked again",
    "ticket": "not filed",
}

CHECKS = frozenset(
    {
        "replies",
        "contains_any",
        "contains_all",
        "not_contains",
        "matches",
        "ticket",
        "asks",
        "not_asks",
        "says",
        "not_says",
        "buttons_include",
        "emergency",
    }
)
TURN_KEYS = frozenset({"user", "expect", "fails_as", "note"})
CONVERSATION_KEYS = frozenset({"id", "description", "complaint", "turns", "tags"})

# A template must keep this many literal characters besides its placeholders;
# "{header}\n\n{options}" would otherwise match any reply.
MIN_LITERAL = 12


class ScenarioError(ValueError):
    """A scenario file that the judge cannot read (named with its file and conversation)."""


# ---------------------------------------------------------------------------
# Responses of the domain, as patterns
# ---------------------------------------------------------------------------


def template_pattern(text: str) -> re.Pattern[str] | None:
    """A pattern matching ``text`` with any value in each ``{placeholder}``; None if too vague."""
    parts = re.split(r"\{[A-Za-z_][A-Za-z0-9_]*\}", text)
    if sum(len(part.strip()) for part in parts) < MIN_LITERAL:
        return None
    # Channels may re-wrap or trim whitespace: any run of it matches any other.
    literal = [r"\s+".join(re.escape(word) for word in part.split()) for part in parts]
    joined = r".*?".join((r"\s*" + piece + r"\s*") if piece else "" for piece in literal)
    return re.compile(joined, re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Responses:
    """The domain's responses by name, each a list of patterns (one per variant)."""

    texts: Mapping[str, tuple[str, ...]]
    forms: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = DOMAIN_FILE) -> Responses:
        domain = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = {
            name: tuple(str(v["text"]) for v in variants if isinstance(v, dict) and "text" in v)
            for name, variants in (domain.get("responses") or {}).items()
        }
        return cls(texts, tuple((domain.get("forms") or {}).keys()))

    @cached_property
    def patterns(self) -> dict[str, tuple[re.Pattern[str], ...]]:
        compiled: dict[str, tuple[re.Pattern[str], ...]] = {}
        for name, variants in self.texts.items():
            found = tuple(p for p in (template_pattern(t) for t in variants) if p is not None)
            if found:
                compiled[name] = found
        return compiled

    def questions(self, slot: str) -> tuple[str, ...]:
        """The responses that ask for ``slot``: utter_ask_<slot>, utter_ask_<form>_<slot>, …"""
        names = [f"utter_ask_{slot}", *(f"utter_ask_{form}_{slot}" for form in self.forms)]
        names += ASKED_BY.get(slot, ())
        return tuple(name for name in names if name in self.patterns)

    @cached_property
    def example_tickets(self) -> frozenset[str]:
        """Ticket numbers the domain's own texts show as examples ("misalnya ADU-261128-7KQ2")."""
        return frozenset(
            m.group(0)
            for variants in self.texts.values()
            for t in variants
            for m in TICKET.finditer(t)
        )

    def tickets(self, replies: Sequence[str]) -> list[tuple[str, str]]:
        """(kind, number) of every ticket number in ``replies`` that is not an example."""
        return [
            (m.group(1), m.group(0))
            for text in replies
            for m in TICKET.finditer(text)
            if m.group(0) not in self.example_tickets
        ]

    def said(self, name: str, replies: Sequence[str]) -> bool:
        # Channels split a long response into several messages: the joined
        # replies are searched too.
        candidates = [*replies, "\n\n".join(replies)] if len(replies) > 1 else list(replies)
        return any(p.search(text) for p in self.patterns.get(name, ()) for text in candidates)

    def asked(self, slot: str, replies: Sequence[str]) -> bool:
        return any(self.said(name, replies) for name in self.questions(slot))


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    user: str
    expect: Mapping[str, Any]
    fails_as: str = ""


@dataclass(frozen=True)
class Conversation:
    id: str
    description: str
    turns: tuple[Turn, ...]
    source: str
    # A complaint conversation: its messages up to the ticket number are counted.
    complaint: bool = False
    tags: tuple[str, ...] = ()


def _as_list(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def check_spec(expect: Mapping[str, Any], responses: Responses, where: str) -> None:
    """Refuses unknown checks and slots/responses the domain does not have (typos would pass)."""
    unknown = set(expect) - CHECKS
    if unknown:
        raise ScenarioError(f"{where}: unknown checks {sorted(unknown)}")
    for key in ("asks", "not_asks"):
        for slot in _as_list(expect.get(key, [])):
            if not responses.questions(slot):
                raise ScenarioError(f"{where}: no question in the domain asks for {slot!r}")
    for key in ("says", "not_says"):
        for name in _as_list(expect.get(key, [])):
            if name not in responses.patterns:
                raise ScenarioError(f"{where}: no usable response {name!r} in the domain")
    if "ticket" in expect and str(expect["ticket"]).upper() not in {"ADU", "MHN", "ANY", "NONE"}:
        raise ScenarioError(f"{where}: ticket must be ADU, MHN, any or none")
    if "matches" in expect:
        for pattern in _as_list(expect["matches"]):
            re.compile(pattern)


def load_file(path: Path, responses: Responses) -> list[Conversation]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    conversations = []
    for raw in data.get("conversations") or []:
        where = f"{path.name}:{raw.get('id', '?')}"
        unknown = set(raw) - CONVERSATION_KEYS
        if unknown or not raw.get("id") or not raw.get("turns"):
            raise ScenarioError(f"{where}: needs id and turns (unknown keys {sorted(unknown)})")
        turns = []
        for n, turn in enumerate(raw["turns"], 1):
            if set(turn) - TURN_KEYS or not isinstance(turn.get("user"), str):
                raise ScenarioError(f"{where} turn {n}: needs user text (keys {sorted(turn)})")
            expect = turn.get("expect") or {}
            check_spec(expect, responses, f"{where} turn {n}")
            turns.append(Turn(turn["user"], expect, str(turn.get("fails_as", ""))))
        conversations.append(
            Conversation(
                id=str(raw["id"]),
                description=str(raw.get("description", "")).strip(),
                turns=tuple(turns),
                source=path.name,
                complaint=bool(raw.get("complaint", False)),
                tags=tuple(_as_list(raw.get("tags", []))),
            )
        )
    return conversations


def load_suite(
    directory: Path = SUITE_DIR, responses: Responses | None = None
) -> list[Conversation]:
    """Every conversation of the suite; ids are unique across files."""
    responses = responses or Responses.load()
    suite: list[Conversation] = []
    for path in sorted(directory.glob("*.yml")):
        suite += load_file(path, responses)
    seen: set[str] = set()
    for conversation in suite:
        if conversation.id in seen:
            raise ScenarioError(f"{conversation.source}: duplicate id {conversation.id}")
        seen.add(conversation.id)
    return suite


# ---------------------------------------------------------------------------
# Judging one turn
# ---------------------------------------------------------------------------


def reply_texts(replies: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(r["text"]) for r in replies if r.get("text")]


def reply_buttons(replies: Iterable[Mapping[str, Any]]) -> list[str]:
    found = []
    for reply in replies:
        for button in reply.get("buttons") or []:
            found += [str(button.get("title", "")), str(button.get("payload", ""))]
    return found


def judge_turn(
    expect: Mapping[str, Any], replies: Sequence[Mapping[str, Any]], responses: Responses
) -> list[str]:
    """What went wrong with the replies to one turn (empty: the turn passed)."""
    texts = reply_texts(replies)
    joined = "\n".join(texts)
    lowered = joined.lower()
    failed: list[str] = []

    def fail(check: str, detail: str) -> None:
        failed.append(f"{check}: {detail}")

    # Every message deserves an answer: silence fails unless the turn expects it.
    wanted = bool(expect.get("replies", True))
    if bool(texts or reply_buttons(replies)) != wanted:
        fail("replies", "no reply at all" if wanted else "replied, silence expected")
        return failed
    if "contains_any" in expect:
        words = _as_list(expect["contains_any"])
        if not any(w.lower() in lowered for w in words):
            fail("contains_any", f"none of {words}")
    if "contains_all" in expect:
        missing = [w for w in _as_list(expect["contains_all"]) if w.lower() not in lowered]
        if missing:
            fail("contains_all", f"missing {missing}")
    if "not_contains" in expect:
        present = [w for w in _as_list(expect["not_contains"]) if w.lower() in lowered]
        if present:
            fail("not_contains", f"said {present}")
    for pattern in _as_list(expect.get("matches", [])):
        if not re.search(pattern, joined, re.IGNORECASE):
            fail("matches", f"no /{pattern}/")
    if "ticket" in expect:
        kind = str(expect["ticket"]).upper()
        kinds = {kind for kind, _ in responses.tickets(texts)}
        if kind == "NONE" and kinds:
            fail("ticket", f"a ticket number was given ({sorted(kinds)})")
        elif kind == "ANY" and not kinds:
            fail("ticket", "no ticket number")
        elif kind in {"ADU", "MHN"} and kind not in kinds:
            fail("ticket", f"no {kind}- ticket number")
    asks = _as_list(expect.get("asks", []))
    if asks and not any(responses.asked(slot, texts) for slot in asks):
        fail("asks", f"not the question for {' or '.join(asks)}")
    for slot in _as_list(expect.get("not_asks", [])):
        if responses.asked(slot, texts):
            fail("not_asks", f"asked for {slot}")
    says = _as_list(expect.get("says", []))
    if says and not any(responses.said(name, texts) for name in says):
        fail("says", f"none of {says}")
    for name in _as_list(expect.get("not_says", [])):
        if responses.said(name, texts):
            fail("not_says", f"said {name}")
    if "buttons_include" in expect:
        buttons = [b.lower() for b in reply_buttons(replies)]
        missing = [
            w
            for w in _as_list(expect["buttons_include"])
            if not any(w.lower() in b for b in buttons)
        ]
        if missing:
            fail("buttons_include", f"no button {missing}")
    if "emergency" in expect:
        first = texts[0] if texts else ""
        if expect["emergency"] and "112" not in first:
            fail("emergency", "112 is not in the first reply")
        if not expect["emergency"] and "112" in joined:
            fail("emergency", "treated as an emergency")
    return failed


# ---------------------------------------------------------------------------
# Playing a conversation
# ---------------------------------------------------------------------------

Say = Callable[[str, str], list[dict[str, Any]]]


@dataclass
class Failure:
    turn: int
    user: str
    problems: list[str]
    replies: list[str]
    fails_as: str


@dataclass
class Outcome:
    conversation: Conversation
    sender: str
    failure: Failure | None = None
    # Messages sent up to (and including) the one answered with the first ADU- ticket.
    messages_to_ticket: int | None = None
    transcript: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failure is None

    @property
    def failure_class(self) -> str:
        if self.failure is None:
            return ""
        if self.failure.fails_as:
            return self.failure.fails_as
        check = self.failure.problems[0].split(":", 1)[0]
        return DEFAULT_CLASS.get(check, "wrong answer")


def with_ticket(value: Any, ticket: str) -> Any:
    """``value`` with {ticket} and {ticket_typed} (lower case, spaces) filled in, lists too."""
    if isinstance(value, list):
        return [with_ticket(v, ticket) for v in value]
    if not isinstance(value, str) or not ticket:
        # No ticket yet: the placeholder stays, so a check naming it fails.
        return value
    typed = ticket.lower().replace("-", " ")
    return value.replace("{ticket_typed}", typed).replace("{ticket}", ticket)


def new_sender(conversation: Conversation, run: str) -> str:
    return f"suite-{run}-{conversation.id}-{uuid.uuid4().hex[:6]}"[:120]


def play(conversation: Conversation, say: Say, responses: Responses, *, run: str = "x") -> Outcome:
    """Every turn of ``conversation`` from a fresh sender, each judged on its own replies.

    Later turns are still played after a failing one, so that a complaint that
    takes a detour is still counted to its ticket.
    """
    outcome = Outcome(conversation, new_sender(conversation, run))
    last_ticket = ""
    for n, turn in enumerate(conversation.turns, 1):
        user = with_ticket(turn.user, last_ticket)
        replies = say(outcome.sender, user)
        texts = reply_texts(replies)
        found = [number for _, number in responses.tickets(texts)]
        last_ticket = found[-1] if found else last_ticket
        outcome.transcript.append((turn.user, texts))
        if (
            conversation.complaint
            and outcome.messages_to_ticket is None
            and any(kind == "ADU" for kind, _ in responses.tickets(texts))
        ):
            outcome.messages_to_ticket = n
        expect = {key: with_ticket(value, last_ticket) for key, value in turn.expect.items()}
        problems = judge_turn(expect, replies, responses)
        if problems and outcome.failure is None:
            outcome.failure = Failure(n, user, problems, texts, turn.fails_as)
    return outcome


@dataclass(frozen=True)
class Summary:
    passed: int
    total: int
    complaints: int
    filed: list[int]

    @property
    def median_messages(self) -> float | None:
        return statistics.median(self.filed) if self.filed else None


def summarise(outcomes: Sequence[Outcome]) -> Summary:
    return Summary(
        passed=sum(o.passed for o in outcomes),
        total=len(outcomes),
        complaints=sum(o.conversation.complaint for o in outcomes),
        filed=[o.messages_to_ticket for o in outcomes if o.messages_to_ticket is not None],
    )


def shorten(text: str, limit: int = 300) -> str:
    flat = " ⏎ ".join(line for line in text.splitlines() if line.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def report_lines(outcome: Outcome) -> list[str]:
    """One PASS/FAIL line, and for a failure the turn, what was wrong and what the bot said."""
    c = outcome.conversation
    counted = (
        f" [{outcome.messages_to_ticket} msgs to ticket]" if outcome.messages_to_ticket else ""
    )
    if outcome.failure is None:
        return [f"PASS {c.id}{counted}"]
    f = outcome.failure
    said = " | ".join(shorten(t) for t in f.replies) or "(silence)"
    return [
        f"FAIL {c.id} ({outcome.failure_class}){counted}",
        f"     turn {f.turn} of {len(c.turns)}: {f.user!r}",
        f"     {'; '.join(f.problems)}",
        f"     bot: {said}",
    ]
