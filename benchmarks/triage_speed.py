"""Throughput, load time and memory of the whole triage on one core.

Run: .venv/bin/python benchmarks/triage_speed.py [--batch 256] [--messages 6000]
Prints messages/s for the full triage (language, sentiment, offensive + kind, spam,
intent, urgency, why) in batches, the artifact load time, and resident memory after
loading. Targets (issue 4): >= 1,500 messages/s, load < 2 s, < 400 MB resident.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import resource
import sys
import time
from pathlib import Path

# One core: keep numpy/scipy from spreading over threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SAMPLE_MESSAGES = (
    "@DB_Bahn Schon wieder 40 Minuten Verspätung in Köln, und keiner sagt etwas. Frechheit!",
    "Vielen Dank für die schnelle Hilfe, das Paket ist heute angekommen 👍",
    "Wie viel kostet die BahnCard 50 für Studierende?",
    "Ihr seid echt die letzten Vollidioten, ich kündige meinen Vertrag.",
    "@united my bag was lost on UA 512 and nobody answers the phone. I want a refund.",
    "Thank you so much, the crew on flight 221 was amazing!",
    "Do you ship to Austria? And is the blue one still available?",
    "WINNER!! Claim your free bitcoin now at http://bit.do/free-btc",
    "It would be nice if the app had a dark mode.",
    "Ist das Angebot noch gültig?",
    "lol",
    "Mein Anwalt wird sich bei Ihnen melden, das ist ein Datenschutzverstoß.",
)


def resident_megabytes() -> float:
    """Current resident set size in MB (Linux /proc, falling back to the peak)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    """Measure and print; exit 0 always (numbers are for people, not assertions)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--csv", help="take the messages from the text column of this CSV")
    arguments = parser.parse_args()

    before = resident_megabytes()
    started = time.perf_counter()
    from resonanz.triage.pipeline import Triage

    triage = Triage.load()
    triage.triage_batch(["warm up lingua", "Sprachmodelle laden"])  # lingua loads lazily
    load_seconds = time.perf_counter() - started
    after_load = resident_megabytes()

    if arguments.csv:
        with open(arguments.csv, newline="", encoding="utf-8") as handle:
            texts = [row["text"] for row in csv.DictReader(handle)]
        messages = [texts[i % len(texts)] for i in range(arguments.messages)]
    else:
        messages = [
            f"{SAMPLE_MESSAGES[i % len(SAMPLE_MESSAGES)]} #{i}" for i in range(arguments.messages)
        ]
    average_length = sum(map(len, messages)) / len(messages)
    started = time.perf_counter()
    for offset in range(0, len(messages), arguments.batch):
        triage.triage_batch(messages[offset : offset + arguments.batch])
    elapsed = time.perf_counter() - started

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.processor() or '?'}")
    print(f"python {platform.python_version()}, one process, BLAS threads = 1")
    print(f"load (artifacts + lingua warm-up): {load_seconds:.2f} s   (target < 2 s)")
    print(
        f"resident memory after load: {after_load:.0f} MB (interpreter before: {before:.0f} MB)"
        "   (target < 400 MB)"
    )
    print(
        f"full triage: {len(messages) / elapsed:,.0f} messages/s in batches of "
        f"{arguments.batch}, {average_length:.0f} characters on average   (target >= 1,500/s)"
    )
    print(f"resident memory after run: {resident_megabytes():.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
