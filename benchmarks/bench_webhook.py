"""Webhook intake over HTTP: signed single-message POSTs to ``resonanz serve`` on loopback.

    .venv/bin/python benchmarks/bench_webhook.py --database sqlite --seconds 20
    .venv/bin/python benchmarks/bench_webhook.py --database postgres

Starts ``resonanz serve`` (gunicorn, 2 workers, the default threads) against a fresh
database with one webhook channel; 4 client processes, each with one keep-alive connection,
POST one signed message per request (X-Resonanz-Signature) for ``--seconds``. A 202 means
the delivery is stored; no task worker runs during the rounds, so deliveries queue up.
Target: at least 500 requests/s. Then the server stops and ``--drain-workers`` task workers
ingest and triage the backlog, timed, so the figure behind the 202s is printed too.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from bench_harness import (
    RESONANZ,
    SETUP_WORKSPACE,
    Request,
    ScratchDatabase,
    Server,
    add_database_argument,
    django_script,
    drain,
    free_port,
    hot_spots,
    load,
    log_file,
    machine_report,
    median,
    say,
    start_profiles,
    start_redis,
)
from bench_import import message_text

from resonanz.channels.signing import SIGNATURE_HEADER, sign


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_argument(parser)
    parser.add_argument(
        "--redis", action="store_true", help="give Resonanz a REDIS_URL (redis-server on loopback)"
    )
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="measurements; the median counts")
    parser.add_argument(
        "--drain-workers", type=int, default=1, help="task workers that ingest the backlog"
    )
    parser.add_argument(
        "--profile", type=Path, default=None, help="py-spy the workers in round 1 (directory)"
    )
    args = parser.parse_args()

    db = ScratchDatabase(args.database, "resonanz_bench_webhook")
    say("Resonanz benchmark: webhook intake over HTTP")
    say(machine_report(db))
    db.create()
    env = db.env()
    redis = None
    if args.redis:
        redis, env["REDIS_URL"] = start_redis(db.directory)
        say(f"redis:    REDIS_URL={env['REDIS_URL']} (rate limits and duplicate checks)")
    key, secret = django_script(
        SETUP_WORKSPACE + "channel = Channel.objects.create(workspace=workspace, kind='webhook',"
        " slug='webhook', name='Webhook')\n"
        "result = [channel.public_key, channel.secret]",
        env=env,
    )
    port = free_port()
    log = log_file(f"webhook-{args.database}-serve")
    server = Server(
        [RESONANZ, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)],
        port=port,
        env=env,
        log=log,
    )
    texts = [message_text(random.Random(i)) for i in range(500)]
    path = f"/hooks/v1/{key}"

    def webhook_request(client: int, n: int, round_: list[int]) -> Request:
        body = json.dumps(
            {
                "id": f"r{round_[0]}-c{client}-{n}",
                "text": texts[(client * 7919 + n) % len(texts)],
                "author": {"id": f"author-{(client * 31 + n) % 2000}", "name": "Bench Author"},
                "created_at": "2026-11-25T10:00:00+01:00",
                "thread": {"key": f"post-{n % 300}", "url": f"https://example.org/p/{n % 300}"},
            },
            ensure_ascii=False,
        ).encode()
        return Request(
            "POST",
            path,
            body,
            {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)},
        )

    rates, p50s, p95s = [], [], []
    try:
        server.wait_ready("/healthz")
        say(
            f"server:   resonanz serve, {args.workers} workers (gthread), port {port}; "
            f"{args.clients} keep-alive clients, {args.seconds:.0f} s per round"
        )
        for round_number in range(args.rounds):
            state = [round_number]
            profiles = []
            if args.profile and round_number == 0:
                profiles = start_profiles(
                    server.worker_pids(), args.seconds, args.profile / "webhook"
                )
            result = load(
                port,
                lambda c, n, s=state: webhook_request(c, n, s),
                clients=args.clients,
                seconds=args.seconds,
            )
            for p in profiles:
                p.wait()
            rates.append(result.per_second)
            p50s.append(result.percentile(50))
            p95s.append(result.percentile(95))
            say(f"round {round_number + 1}:  {result.summary()}")
        server.stop()
        drain(env, workers=args.drain_workers)
    finally:
        server.stop()
        if redis:
            redis.stop()
        db.drop()
    setup = args.database + ("+redis" if args.redis else "")
    say(
        f"RESULT webhook {setup}: {median(rates):,.0f} req/s, p50 {median(p50s):.1f} ms, "
        f"p95 {median(p95s):.1f} ms (median of {len(rates)} rounds; target >= 500 req/s)"
    )
    if args.profile:
        say(f"hot spots, webhook round 1 (py-spy, {args.profile}/webhook-*):")
        say(hot_spots(sorted(args.profile.glob("webhook-*.txt")), within="WSGIHandler.__call__"))


if __name__ == "__main__":
    main()
