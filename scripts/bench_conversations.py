"""Conversation benchmark: residents' multi-turn conversations, judged automatically.

Plays every conversation of tests/conversations/*.yml (format in
docs/conversations.md) through the REST channel, each from a fresh sender,
and judges every turn on the bot's replies to it. Prints one line per
conversation (for a failure: the first failing turn, what was wrong and what
the bot said), then "N of M conversations passed" and the median number of
messages a resident needed to file a complaint (first message to the reply
with the ADU- ticket number).

Against a running Tabik (``--url``, the Rasa server; default
http://localhost:5005) or one it starts itself (``--serve``: the same
processes as ``make serve``, with the current model and a data directory of
its own, stopped at the end; the bench never trains).

    .venv/bin/python scripts/bench_conversations.py --serve
    .venv/bin/python scripts/bench_conversations.py --url http://localhost:5005 --only harga

The exit code is 0 whatever the result (it is a report), unless ``--min-pass``
is given and fewer conversations passed; 2 when the scenarios cannot be read.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.auxil.conversations import (
    SUITE_DIR,
    Outcome,
    Responses,
    ScenarioError,
    load_suite,
    play,
    report_lines,
    shorten,
    summarise,
)
from tests.auxil.tabik_server import TabikServer

WEBHOOK = "/webhooks/rest/webhook"


def rest_say(url: str, timeout: float) -> Any:
    """A ``say(sender, text)`` posting to the REST channel at ``url``."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise SystemExit(f"--url must be an http(s) URL, not {url!r}")

    def say(sender: str, text: str) -> list[dict[str, Any]]:
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url.rstrip("/") + WEBHOOK,
            data=json.dumps({"sender": sender, "message": text}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return list(json.loads(response.read()))

    return say


@contextlib.contextmanager
def started(args: argparse.Namespace) -> Iterator[str]:
    """The URL of the Tabik to talk to: ``--url``, or one started for this run."""
    if not args.serve:
        yield args.url
        return
    from bot.entrypoints.training import model_path

    model = Path(args.model) if args.model else model_path()
    if not model.exists():
        raise SystemExit(f"No model at {model}: run `make train` first (the bench never trains).")
    workdir = Path(tempfile.mkdtemp(prefix="tabik-conversations-"))
    server = TabikServer(
        workdir, env_overrides={"TABIK_MODEL": str(model), "TABIK_ENABLE_REST": "1"}
    )
    if args.skip_venv_check:
        server.command = (sys.executable, "-m", "bot.entrypoints.launcher", "serve")
    print(f"starting Tabik on port {server.rasa_port} (log {server.log_path}) ...", flush=True)
    try:
        # Stopped even when it never got ready (a busy machine loads the model slowly).
        server.start(timeout=args.start_timeout)
        yield server.url
    finally:
        server.stop_if_running()


def selected(suite: Sequence[Any], only: Sequence[str], files: Sequence[str]) -> list[Any]:
    return [
        c
        for c in suite
        if (not only or any(o in c.id for o in only))
        and (not files or Path(c.source).stem in files)
    ]


def print_summary(outcomes: Sequence[Outcome], seconds: float) -> None:
    summary = summarise(outcomes)
    print()
    print(f"{summary.passed} of {summary.total} conversations passed ({seconds:.0f} s)")
    median = summary.median_messages
    print(
        f"median messages per filed complaint: {median if median is not None else '-'}"
        f" ({len(summary.filed)} of {summary.complaints} complaint conversations reached a ticket"
        f"{'; counts ' + str(sorted(summary.filed)) if summary.filed else ''})"
    )
    classes = collections.Counter(o.failure_class for o in outcomes if not o.passed)
    if classes:
        print("failures by class: " + ", ".join(f"{k} {v}" for k, v in classes.most_common()))


def write_json(path: Path, outcomes: Sequence[Outcome]) -> None:
    summary = summarise(outcomes)
    path.write_text(
        json.dumps(
            {
                "passed": summary.passed,
                "total": summary.total,
                "median_messages_per_complaint": summary.median_messages,
                "messages_per_complaint": summary.filed,
                "conversations": [
                    {
                        "id": o.conversation.id,
                        "file": o.conversation.source,
                        "passed": o.passed,
                        "failure_class": o.failure_class or None,
                        "failing_turn": o.failure.turn if o.failure else None,
                        "problems": o.failure.problems if o.failure else [],
                        "messages_to_ticket": o.messages_to_ticket,
                        "transcript": [{"user": u, "bot": b} for u, b in o.transcript],
                    }
                    for o in outcomes
                ],
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://localhost:5005", help="a running Rasa server")
    parser.add_argument("--serve", action="store_true", help="start Tabik for this run")
    parser.add_argument("--model", help="with --serve: this model (default: the current one)")
    parser.add_argument(
        "--skip-venv-check",
        action="store_true",
        help="with --serve: start the launcher directly instead of `make serve` (a shared venv)",
    )
    parser.add_argument(
        "--start-timeout", type=float, default=900, help="with --serve: seconds to get ready"
    )
    parser.add_argument("--dir", type=Path, default=SUITE_DIR, help="the scenario files")
    parser.add_argument("--only", action="append", default=[], help="ids containing this")
    parser.add_argument("--file", action="append", default=[], help="one feature file (stem)")
    parser.add_argument("--min-pass", type=int, help="exit 1 when fewer conversations passed")
    parser.add_argument("--json", type=Path, help="also write the outcomes (with transcripts)")
    parser.add_argument("--transcripts", action="store_true", help="print failing transcripts")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per message")
    args = parser.parse_args(argv)

    responses = Responses.load()
    try:
        suite = selected(load_suite(args.dir, responses), args.only, args.file)
    except ScenarioError as error:
        print(f"scenario error: {error}", file=sys.stderr)
        return 2
    run = time.strftime("%H%M%S")
    outcomes: list[Outcome] = []
    began = time.monotonic()
    with started(args) as url:
        say = rest_say(url, args.timeout)
        for conversation in suite:
            outcome = play(conversation, say, responses, run=run)
            outcomes.append(outcome)
            print("\n".join(report_lines(outcome)), flush=True)
            if args.transcripts and not outcome.passed:
                for user, bot in outcome.transcript:
                    print(f"       > {user}")
                    for text in bot or ["(silence)"]:
                        print(f"       < {shorten(text, 200)}")
    print_summary(outcomes, time.monotonic() - began)
    if args.json:
        write_json(args.json, outcomes)
    passed = summarise(outcomes).passed
    if args.min_pass is not None and passed < args.min_pass:
        print(f"below the threshold: {passed} < {args.min_pass}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
