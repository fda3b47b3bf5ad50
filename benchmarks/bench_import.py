"""File import speed: ``resonanz import`` of a 100,000-message CSV into a fresh database.

    .venv/bin/python benchmarks/bench_import.py --database sqlite
    .venv/bin/python benchmarks/bench_import.py --database postgres --messages 100000

Generates a CSV of realistic German/English messages (about 2,000 authors, threads on
article pages, some replies), creates a migrated scratch database with one workspace and one
import channel, and times the CLI in a subprocess (process start included). Target: at least
3,000 messages/s.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_harness import (
    PY_SPY,
    RESONANZ,
    SETUP_WORKSPACE,
    ScratchDatabase,
    add_database_argument,
    django_script,
    hot_spots,
    machine_report,
    median,
    run,
    say,
)

OPENERS_DE = [
    "Hallo zusammen,",
    "Moin,",
    "Liebe Redaktion,",
    "Guten Tag,",
    "Hi,",
    "",
    "Ehrlich gesagt:",
    "Kurze Frage:",
]
BODIES_DE = [
    "meine Bestellung {order} ist immer noch nicht angekommen, obwohl sie seit {days} Tagen "
    "als versendet markiert ist.",
    "ich möchte mein Abo kündigen. Wo finde ich die Kündigung im Kundenkonto?",
    "die Rechnung {order} enthält einen Fehler: mir wurden {amount} € zu viel berechnet.",
    "toller Artikel über {topic}, genau das habe ich gesucht. Danke!",
    "das Update hat die App kaputt gemacht, seit gestern stürzt sie beim Start ab.",
    "wann kommt endlich die Funktion für {topic}? Darauf warte ich seit Monaten.",
    "der Kundenservice hat mir sehr schnell geholfen, super!",
    "ich finde den Beitrag zu {topic} ziemlich einseitig, da fehlen wichtige Argumente.",
    "kann ich die Lieferadresse für {order} noch ändern?",
    "so ein Quatsch, wer schreibt denn sowas über {topic}?",
    "Gibt es den Rabattcode noch? Bei mir wird er als ungültig angezeigt.",
    "Erstattung für {order} beantragt, aber seit {days} Tagen keine Antwort.",
]
OPENERS_EN = ["Hi,", "Hello team,", "Hey", "", "Quick question:", "Honestly,", "Dear support,"]
BODIES_EN = [
    "my order {order} still hasn't arrived, it has said shipped for {days} days.",
    "how do I cancel my subscription? I can't find the option anywhere.",
    "I was charged {amount} EUR twice for invoice {order}, please refund one of them.",
    "great piece on {topic}, really well researched. Thanks!",
    "the latest update broke login on Android, I get an error every time.",
    "any plans to support {topic}? It would make my life so much easier.",
    "support sorted my problem out within minutes, impressive.",
    "this article about {topic} misses the point completely.",
    "can I still change the shipping address for {order}?",
    "what a load of rubbish, who writes this stuff about {topic}?",
    "is the discount code still valid? It keeps getting rejected.",
    "I asked for a refund for {order} {days} days ago and heard nothing back.",
]
CLOSERS = ["", "", "Danke!", "Viele Grüße", "Thanks", "Cheers", "LG", "😊", "🙄", "!!!"]
TOPICS = [
    "Elektroautos",
    "Homeoffice",
    "die Bahn",
    "Wärmepumpen",
    "dark mode",
    "the new pricing",
    "Datenschutz",
    "open source",
    "Fahrradwege",
    "the football season",
]
FIRST = ["Anna", "Jonas", "Lea", "Finn", "Mia", "Paul", "Emma", "Tom", "Sarah", "Ali", "Nina"]
LAST = ["Müller", "Schmidt", "Weber", "Smith", "Yılmaz", "Wagner", "Brown", "Becker", "Novak"]


def message_text(rng: random.Random) -> str:
    german = rng.random() < 0.6
    opener = rng.choice(OPENERS_DE if german else OPENERS_EN)
    body = rng.choice(BODIES_DE if german else BODIES_EN).format(
        order=f"#{rng.randint(100000, 999999)}",
        days=rng.randint(2, 30),
        amount=rng.randint(5, 400),
        topic=rng.choice(TOPICS),
    )
    parts = [opener, body]
    if rng.random() < 0.3:
        parts.append(
            rng.choice(BODIES_DE if german else BODIES_EN).format(
                order=f"#{rng.randint(100000, 999999)}",
                days=rng.randint(2, 30),
                amount=rng.randint(5, 400),
                topic=rng.choice(TOPICS),
            )
        )
    parts.append(rng.choice(CLOSERS))
    return " ".join(p for p in parts if p)


def write_csv(path: Path, messages: int, authors: int, seed: int = 42) -> None:
    """``messages`` rows: top-level comments on ~messages/20 threads, ~15 % replies."""
    rng = random.Random(seed)
    people = [
        (f"user-{i}", f"{rng.choice(FIRST)} {rng.choice(LAST)}", f"user{i}@example.org")
        for i in range(authors)
    ]
    threads = max(1, messages // 20)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    recent: list[str] = []
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            [
                "id",
                "text",
                "author_id",
                "author_name",
                "author_email",
                "created_at",
                "kind",
                "thread_key",
                "thread_url",
                "thread_title",
                "in_reply_to",
            ]
        )
        for n in range(messages):
            author_id, name, email = people[int(rng.paretovariate(1.2)) % authors]
            thread = rng.randrange(threads)
            created = start + timedelta(seconds=n * 30 + rng.randint(0, 29))
            reply_to = rng.choice(recent) if recent and rng.random() < 0.15 else ""
            kind = "comment" if rng.random() < 0.85 else rng.choice(["feedback", "dm", "mention"])
            writer.writerow(
                [
                    f"m-{n}",
                    message_text(rng),
                    author_id,
                    name,
                    email if rng.random() < 0.5 else "",
                    created.isoformat(),
                    kind,
                    f"article-{thread}",
                    f"https://news.example.org/a/{thread}",
                    f"Artikel {thread}",
                    reply_to,
                ]
            )
            recent.append(f"m-{n}")
            if len(recent) > 200:
                recent.pop(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_argument(parser)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--authors", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=1, help="repeat on a fresh database")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--profile", type=Path, default=None, help="run the import under py-spy, print hot spots"
    )
    args = parser.parse_args()

    db = ScratchDatabase(args.database, "resonanz_bench_import")
    say("Resonanz benchmark: file import (resonanz import, CSV)")
    say(machine_report(db))
    csv_path = Path("/tmp/resonanz-bench-import.csv")
    began = time.perf_counter()
    write_csv(csv_path, args.messages, args.authors)
    size_mb = csv_path.stat().st_size / 1e6
    say(
        f"file:     {csv_path} ({args.messages} rows, {size_mb:.1f} MB, "
        f"{args.authors} authors; written in {time.perf_counter() - began:.1f} s)"
    )

    rates = []
    try:
        for attempt in range(args.runs):
            db.create()
            env = db.env()
            django_script(
                SETUP_WORKSPACE
                + "Channel.objects.create(workspace=workspace, kind='import', slug='import',"
                " name='Import')",
                env=env,
            )
            command = [
                RESONANZ,
                "import",
                str(csv_path),
                "--workspace",
                "bench",
                "--channel",
                "import",
            ]
            profile_file = None
            if args.profile:
                args.profile.mkdir(parents=True, exist_ok=True)
                profile_file = args.profile / f"import-{args.database}-{attempt}.txt"
                command = [
                    PY_SPY, "record", "--format", "raw", "--nolineno", "--rate", "200",
                    "--output", str(profile_file), "--", *command,
                ]  # fmt: skip
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            began = time.perf_counter()
            out = run(command, env=env)
            seconds = time.perf_counter() - began
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (
                cpu_after.ru_stime - cpu_before.ru_stime
            )
            stored = django_script(
                "from resonanz.inbox.models import Conversation, Message\n"
                "result = [Message.objects.count(), Conversation.objects.count()]",
                env=env,
            )
            rate = args.messages / seconds
            rates.append(rate)
            summary = [line for line in out.splitlines() if " message(s); " in line]
            say(f"run {attempt + 1}:    {summary[-1] if summary else out.strip()}")
            say(
                f"          {seconds:.1f} s, {rate:,.0f} messages/s "
                f"({stored[0]} messages in {stored[1]} conversations stored); the import "
                f"process used {cpu:.1f} s CPU ({100 * cpu / seconds:.0f} % of one core)"
            )
            if profile_file:
                say(f"hot spots (py-spy, under profiling, so slower; {profile_file}):")
                say(hot_spots([profile_file]))
    finally:
        if not args.keep:
            db.drop()
    say(
        f"RESULT import {args.database}: {median(rates):,.0f} messages/s "
        f"(median of {len(rates)}; target >= 3,000)"
    )


if __name__ == "__main__":
    main()
