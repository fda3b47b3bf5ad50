"""The worker's processing step: triage a stored batch and write the labels back.

    .venv/bin/python benchmarks/bench_processing.py --database sqlite
    .venv/bin/python benchmarks/bench_processing.py --database postgres --messages 20000

Stores ``--messages`` inbound messages (500 per ingest chunk, 300 threads, 2,000 authors)
without processing them, then calls ``process_messages`` on batches of 500 in one process,
as a task worker does, and prints messages/s for the whole step, the share spent in triage
(timed around ``_triage``) and what the rest -- the write-back of labels, conversation
updates and realtime events -- costs per message. Runs ``--rounds`` times on fresh rows.
``--rules`` gives the workspace the demo's two moderation rules and three SLA policies, so
that their cost shows against a run without.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bench_harness import (
    SETUP_WORKSPACE,
    ScratchDatabase,
    add_database_argument,
    django_script,
    machine_report,
    median,
    say,
)

PROCESS = """
import random, time
from resonanz.channels.ingest import InboundItem, ingest
from resonanz.channels.models import Channel
from resonanz.inbox import processing
from resonanz.triage.pipeline import get_triage
from bench_import import message_text

get_triage().triage_batch(["warm up", "Sprachmodelle laden"])
channel = Channel.objects.get(slug="webhook")
rounds = []
for round_number in range(ROUNDS):
    rng = random.Random(round_number)
    items = [
        InboundItem(
            external_id=f"r{round_number}-{n}",
            text=message_text(rng),
            author_id=f"author-{n % 2000}",
            author_name="Bench Author",
            conversation_key=f"post-{n % 300}",
        )
        for n in range(MESSAGES)
    ]
    ids = ingest(channel, items, after_commit=lambda ids: None).created_ids
    triage_seconds = 0.0
    original = processing._triage

    def timed(messages):
        global triage_seconds
        started = time.perf_counter()
        try:
            return original(messages)
        finally:
            triage_seconds += time.perf_counter() - started

    processing._triage = timed
    started = time.perf_counter()
    done = sum(processing.process_messages(ids[i : i + 500]) for i in range(0, len(ids), 500))
    total = time.perf_counter() - started
    processing._triage = original
    rounds.append([done, total, triage_seconds])
result = rounds
"""


RULES = """
from resonanz.moderation.models import Rule
from resonanz.sla.models import BusinessHours, Policy
Rule.objects.create(workspace=workspace, name="insults", flag="offensive", min_score=0.75,
                    moderate="hidden")
Rule.objects.create(workspace=workspace, name="legal", words="anwalt*, verbraucherzentrale",
                    set_priority=3, add_tag="Recht")
BusinessHours.objects.create(workspace=workspace, holiday_subdivision="HE")
Policy.objects.create(workspace=workspace, name="urgent", position=1, min_priority=3,
                      first_response_minutes=60, business_hours_only=False)
Policy.objects.create(workspace=workspace, name="complaints", position=2, intent="complaint",
                      first_response_minutes=240)
Policy.objects.create(workspace=workspace, name="default", position=3,
                      first_response_minutes=600)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_database_argument(parser)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rules", action="store_true", help="with moderation rules and SLA policies"
    )
    args = parser.parse_args()

    db = ScratchDatabase(args.database, "resonanz_bench_processing")
    say(
        "Resonanz benchmark: the worker's processing step (triage + write-back)"
        + (", with 2 moderation rules and 3 SLA policies" if args.rules else "")
    )
    say(machine_report(db))
    db.create()
    # This checkout's code first (also when run from a worktree of an older commit).
    here = Path(__file__).resolve().parent
    env = db.env(PYTHONPATH=f"{here.parent}:{here}")
    try:
        django_script(
            SETUP_WORKSPACE + "Channel.objects.create(workspace=workspace, kind='webhook',"
            " slug='webhook', name='Webhook')\n" + (RULES if args.rules else ""),
            env=env,
        )
        code = PROCESS.replace("ROUNDS", str(args.rounds)).replace("MESSAGES", str(args.messages))
        rates, write_costs = [], []
        for number, (done, total, triage) in enumerate(django_script(code, env=env), 1):
            rest = total - triage
            rates.append(done / total)
            write_costs.append(rest / done * 1e6)
            say(
                f"round {number}: {done:,} messages processed in {total:.2f} s "
                f"({done / total:,.0f} msg/s); triage {triage:.2f} s "
                f"({done / triage:,.0f} msg/s), the rest {rest:.2f} s "
                f"({rest / done * 1e6:,.0f} µs per message)"
            )
        say(
            f"RESULT processing {args.database}: {median(rates):,.0f} msg/s, write-back and "
            f"the rest {median(write_costs):,.0f} µs per message (median of {args.rounds} rounds)"
        )
    finally:
        db.drop()


if __name__ == "__main__":
    main()
