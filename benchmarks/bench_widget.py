"""The website widget side by side with Isso, in one run, on the same machine.

    .venv/bin/python benchmarks/bench_widget.py --database sqlite
    .venv/bin/python benchmarks/bench_widget.py --database postgres --profile /tmp/widget-prof

Isso (https://isso-comments.de, from the package index) gets its own venv (``--isso-venv``,
created with ``pip install isso gunicorn`` if missing). Both run under gunicorn with the same
number of worker processes (2, gthread, 16 threads, keep-alive) on loopback. Each gets a
20-comment thread, then 4 client processes with keep-alive connections measure, in
alternating rounds:

(a) listing: Isso ``GET /?uri=/t1`` vs Resonanz ``GET /widget/v1/<key>/thread?thread=t1``;
(b) posting (to a second thread, so the listed one stays at 20): Isso ``POST /new?uri=/t2``
    vs Resonanz ``POST /widget/v1/<key>/comments``,
    unique texts, every Resonanz check on (form token, honeypot, rate limits, duplicates),
    with the per-IP/per-thread limits raised on both sides (Isso: ``[guard] enabled = false``).

Targets: listing at least 10x Isso's requests/s, posting at least 1x. ``--profile DIR``
samples the Resonanz workers with py-spy during one round of each and prints the hot spots.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench_harness import (
    PY_SPY,
    RESONANZ,
    SETUP_WORKSPACE,
    LoadResult,
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

ORIGIN = "http://localhost"
WIDGET_CONFIG = {
    "allowed_origins": [ORIGIN],
    "premoderation": False,
    "min_seconds_on_form": 0,
    "rate_per_ip_per_minute": 10_000_000,
    "rate_per_thread_per_minute": 10_000_000,
}
ISSO_CONFIG = """\
[general]
dbpath = {directory}/comments.db
host = http://localhost
notify = stdout
[moderation]
enabled = false
[guard]
enabled = false
ratelimit = 1000000
direct-reply = 1000000
[server]
listen = http://127.0.0.1:{port}
"""
GUNICORN_OPTIONS = ["--worker-class", "gthread", "--threads", "16", "--keep-alive", "5"]


def ensure_isso(venv: Path) -> None:
    if (venv / "bin" / "gunicorn").exists() and (venv / "bin" / "isso").exists():
        return
    say(f"installing Isso into {venv} ...")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "isso", "gunicorn"], check=True)


def isso_version(venv: Path) -> str:
    out = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import importlib.metadata as m;print(m.version('isso'), m.version('gunicorn'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"Isso {out[0]} (gunicorn {out[1]})"


def call(port: int, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Origin": ORIGIN}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    try:
        return response.status, json.loads(raw or b"null")
    except json.JSONDecodeError:
        return response.status, raw.decode(errors="replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_argument(parser)
    parser.add_argument(
        "--redis", action="store_true", help="give Resonanz a REDIS_URL (redis-server on loopback)"
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--isso-venv", type=Path, default=Path("/tmp/isso-venv"))
    parser.add_argument("--profile", type=Path, default=None, help="py-spy output directory")
    args = parser.parse_args()

    db = ScratchDatabase(args.database, "resonanz_bench_widget")
    say("Resonanz benchmark: widget vs Isso")
    say(machine_report(db))
    ensure_isso(args.isso_venv)
    say(f"isso:     {isso_version(args.isso_venv)}, SQLite (its only database)")

    db.create()
    env = db.env()
    redis = None
    if args.redis:
        redis, env["REDIS_URL"] = start_redis(db.directory)
        say(f"redis:    REDIS_URL={env['REDIS_URL']} (rate limits and duplicate checks)")
    key = django_script(
        SETUP_WORKSPACE
        + "channel = Channel.objects.create(workspace=workspace, kind='widget', slug='widget',"
        f" name='Widget', config={WIDGET_CONFIG!r})\n"
        "result = channel.public_key",
        env=env,
    )
    isso_dir = Path("/tmp/resonanz-bench-isso")
    subprocess.run(["rm", "-rf", str(isso_dir)], check=True)
    isso_dir.mkdir(parents=True)
    resonanz_port, isso_port = free_port(), free_port()
    (isso_dir / "isso.cfg").write_text(ISSO_CONFIG.format(directory=isso_dir, port=isso_port))
    resonanz = Server(
        [RESONANZ, "serve", "--bind", f"127.0.0.1:{resonanz_port}", "--workers", str(args.workers)],
        port=resonanz_port,
        env=env,
        log=log_file(f"widget-{args.database}-serve"),
    )
    isso = Server(
        [
            str(args.isso_venv / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{isso_port}",
            "--workers",
            str(args.workers),
            *GUNICORN_OPTIONS,
            "--access-logfile",
            "-",
            "isso.run",
        ],
        port=isso_port,
        env={"ISSO_SETTINGS": str(isso_dir / "isso.cfg"), "PATH": "/usr/bin:/bin"},
        log=log_file("widget-isso"),
    )
    try:
        resonanz.wait_ready("/healthz")
        isso.wait_ready("/info")
        thread_path = f"/widget/v1/{key}/thread?thread=t1"
        comments_path = f"/widget/v1/{key}/comments"
        status, page = call(resonanz_port, "GET", f"/widget/v1/{key}/form")
        assert status == 200, (status, page)
        form_token = page["form_token"]
        for n in range(20):
            text = message_text(__import__("random").Random(n))
            status, answer = call(
                resonanz_port,
                "POST",
                comments_path,
                {
                    "form_token": form_token,
                    "thread": "t1",
                    "name": f"Leser {n}",
                    "text": f"{text} ({n})",
                    "kind": "comment",
                    "website": "",
                },
            )
            assert status == 201, (status, answer)
            status, answer = call(
                isso_port,
                "POST",
                "/new?uri=/t1",
                {
                    "text": f"{text} ({n})",
                    "author": f"Leser {n}",
                    "title": "Thread 1",
                },
            )
            assert status == 201, (status, answer)
        # Posting goes to a second thread, so the listed thread keeps its 20 comments.
        status, answer = call(
            isso_port, "POST", "/new?uri=/t2", {"text": "Erster!", "author": "A", "title": "T2"}
        )
        assert status == 201, (status, answer)
        status, page = call(resonanz_port, "GET", thread_path)
        status_isso, isso_page = call(isso_port, "GET", "/?uri=/t1")
        say(
            f"seeded:   Resonanz {len(page['comments'])} comments "
            f"({len(json.dumps(page))} bytes), Isso {len(isso_page['replies'])} comments "
            f"({len(json.dumps(isso_page))} bytes)"
        )
        say(
            f"servers:  both gunicorn, {args.workers} workers, gthread 16 threads, keep-alive; "
            f"{args.clients} keep-alive clients, {args.seconds:.0f} s per round, "
            f"{args.rounds} rounds alternating"
        )

        base_headers = {"Origin": ORIGIN}
        post_headers = {"Origin": ORIGIN, "Content-Type": "application/json"}

        def resonanz_list(client: int, n: int) -> Request:
            return Request("GET", thread_path, None, base_headers)

        def isso_list(client: int, n: int) -> Request:
            return Request("GET", "/?uri=/t1", None, base_headers)

        def resonanz_post(client: int, n: int, tag: str) -> Request:
            body = json.dumps(
                {
                    "form_token": form_token,
                    "thread": "t2",
                    "name": f"Leser {client}",
                    "text": f"{message_text(__import__('random').Random(n))} [{tag}-{client}-{n}]",
                    "kind": "comment",
                    "website": "",
                }
            ).encode()
            return Request("POST", comments_path, body, post_headers)

        def isso_post(client: int, n: int, tag: str) -> Request:
            body = json.dumps(
                {
                    "text": f"{message_text(__import__('random').Random(n))} [{tag}-{client}-{n}]",
                    "author": f"Leser {client}",
                }
            ).encode()
            return Request("POST", "/new?uri=/t2", body, post_headers)

        def resonanz_static(client: int, n: int) -> Request:
            # The cheapest response this stack gives (whitenoise inside Django's middleware):
            # the ceiling for any listing that still goes through Django.
            return Request("GET", "/static/resonanz/widget.js", None, base_headers)

        results: dict[str, list[LoadResult]] = {}

        def measure(label: str, port: int, factory: Any, profile: bool) -> None:
            profiles = []
            if profile and args.profile:
                # Read the pids now: gunicorn recycles workers after max_requests.
                profiles = start_profiles(
                    resonanz.worker_pids(), args.seconds, args.profile / label
                )
            result = load(port, factory, clients=args.clients, seconds=args.seconds)
            for p in profiles:
                p.wait()
            results.setdefault(label, []).append(result)
            say(f"  {label:17s} {result.summary()}")

        for round_number in range(args.rounds):
            say(f"round {round_number + 1}")
            profile = round_number == 0
            measure("isso list", isso_port, isso_list, False)
            measure("resonanz list", resonanz_port, resonanz_list, profile)
            if round_number == 0:
                measure("resonanz static", resonanz_port, resonanz_static, False)
            measure(
                "isso post", isso_port, lambda c, n, r=round_number: isso_post(c, n, f"r{r}"), False
            )
            measure(
                "resonanz post",
                resonanz_port,
                lambda c, n, r=round_number: resonanz_post(c, n, f"r{r}"),
                profile,
            )
        rss = {
            name: [round(__import__("bench_harness").rss_mb(p)) for p in server.worker_pids()]
            for name, server in (("resonanz", resonanz), ("isso", isso))
        }
        say(f"worker RSS (MB) after the run: {rss}")
        resonanz.stop()
        drain(env, workers=1)
    finally:
        resonanz.stop()
        isso.stop()
        if redis:
            redis.stop()
        db.drop()

    def rate(label: str) -> float:
        return median([r.per_second for r in results[label]])

    def p95(label: str) -> float:
        return median([r.percentile(95) for r in results[label]])

    say("")
    setup = args.database + ("+redis" if args.redis else "")
    for kind, target in (("list", 10.0), ("post", 1.0)):
        ours, theirs = rate(f"resonanz {kind}"), rate(f"isso {kind}")
        ratio = ours / theirs if theirs else float("inf")
        verdict = "met" if ratio >= target else "MISSED"
        say(
            f"RESULT widget {kind} {setup}: Resonanz {ours:,.0f} req/s "
            f"(p95 {p95(f'resonanz {kind}'):.1f} ms) vs Isso {theirs:,.0f} req/s "
            f"(p95 {p95(f'isso {kind}'):.1f} ms): {ratio:.2f}x "
            f"(target >= {target:g}x, {verdict})"
        )
    ceiling = rate("resonanz static")
    say(
        f"(ceiling: a static file through the same gunicorn + Django stack: "
        f"{ceiling:,.0f} req/s = {ceiling / rate('isso list'):.1f}x Isso's listing)"
    )
    if args.profile:
        for label in ("resonanz list", "resonanz post"):
            files = sorted(args.profile.glob(f"{label}-*.txt"))
            say(f"\nhot spots, {label} (py-spy {PY_SPY}, files {args.profile}/{label}-*):")
            say(hot_spots(files, within="WSGIHandler.__call__"))


if __name__ == "__main__":
    main()
