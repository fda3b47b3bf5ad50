"""The ``resonanz`` command for operators: serve, worker, migrate, demo, import, token, triage."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resonanz.settings")
    import django

    django.setup()


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    call_command("createcachetable", verbosity=args.verbosity)
    call_command("collectstatic", interactive=False, verbosity=0)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from resonanz.core.webserver import serve

    serve(bind=args.bind, workers=args.workers, threads=args.threads)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from resonanz.core.worker import run_worker

    run_worker(interval=args.interval, batch=args.batch)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from resonanz.accounts.services import TokenError, create_token_for_cli

    try:
        raw = create_token_for_cli(
            email=args.user, workspace_slug=args.workspace, name=args.name, role=args.role
        )
    except TokenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(raw)
    return 0


def cmd_workspace(args: argparse.Namespace) -> int:
    import getpass

    from django.db import IntegrityError

    from resonanz.accounts.models import User
    from resonanz.accounts.services import create_workspace

    user = User.objects.filter(email__iexact=args.owner).first()
    if user is None:
        password = os.environ.get("RESONANZ_OWNER_PASSWORD") or getpass.getpass(
            f"Password for the new user {args.owner}: "
        )
        if len(password) < 10:
            print("error: the password needs at least 10 characters", file=sys.stderr)
            return 2
        user = User.objects.create_user(email=args.owner, password=password)
    try:
        workspace = create_workspace(user, name=args.name, slug=args.slug)
    except IntegrityError:
        print(f"error: a workspace {args.slug!r} exists already", file=sys.stderr)
        return 2
    print(f"created workspace {workspace.slug!r}; {user.email} is its owner")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from resonanz.channels.fileimport import ImportFileError, import_file_for_cli

    try:
        report = import_file_for_cli(
            path=Path(args.file),
            workspace_slug=args.workspace,
            channel_slug=args.channel,
            dry_run=args.dry_run,
            file_format=args.format,
            mapping=dict(m.split("=", 1) for m in args.map),
        )
    except ImportFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for line_error in report.errors[:200]:
        print(f"line {line_error.line}: {line_error.reason}", file=sys.stderr)
    if len(report.errors) > 200:
        print(f"... and {len(report.errors) - 200} more bad lines", file=sys.stderr)
    verb = "would import" if args.dry_run else "imported"
    print(
        f"{verb} {report.imported} message(s); {report.duplicates} already known; "
        f"{len(report.errors)} bad line(s); {report.rows} line(s) read"
    )
    return 1 if report.errors and not report.imported and not report.duplicates else 0


def cmd_demo(args: argparse.Namespace) -> int:
    from django.core.management import call_command

    from resonanz.demo.loader import ensure_demo

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    info = ensure_demo(log=print)
    url = f"http://{args.bind}/"
    print()
    print("Resonanz demo is ready.")
    print(f"  URL:        {url}")
    print(f"  Login:      {info.email} / {info.password}")
    print(f"  API token:  {info.token}")
    print(f"  Try it:     {url}demo/article/1  (post a comment, answer it in the inbox)")
    print("Press Ctrl-C to stop.\n", flush=True)
    if args.no_serve:
        return 0
    return _run_web_and_worker(args.bind)


def _run_web_and_worker(bind: str) -> int:
    base = [sys.executable, "-m", "resonanz.cli"]
    processes = [
        subprocess.Popen([*base, "serve", "--bind", bind]),
        subprocess.Popen([*base, "worker"]),
    ]
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.3)
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for p in processes:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
    print("Resonanz stopped.")
    failed = [p for p in processes if p.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0


def cmd_triage(argv: list[str]) -> int:
    from resonanz.triage.cli import main as triage_main

    return triage_main(argv)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="resonanz", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="create or update the database tables")
    p.add_argument("-v", "--verbosity", type=int, default=1)
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="run the web server (gunicorn)")
    p.add_argument("--bind", default=os.environ.get("RESONANZ_BIND", "127.0.0.1:8000"))
    p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "16")))
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run a background task worker")
    p.add_argument("--interval", type=float, default=0.2, help="seconds between queue polls")
    p.add_argument("--batch", action="store_true", help="exit when the queue is empty")
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("demo", help="migrate, load demo data, start web server and worker")
    p.add_argument("--bind", default="127.0.0.1:8000")
    p.add_argument("--no-serve", action="store_true", help="only prepare the demo data")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("import", help="import messages from a CSV or JSONL file")
    p.add_argument("file")
    p.add_argument("--workspace", required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--dry-run", action="store_true", help="check every line, store nothing")
    p.add_argument("--format", choices=["csv", "jsonl"], default=None)
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="use COLUMN of the file for FIELD (e.g. --map text=comment_body)",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("workspace", help="manage workspaces")
    ws_sub = p.add_subparsers(dest="workspace_command", required=True)
    w = ws_sub.add_parser("create", help="create a workspace with an owner (created if new)")
    w.add_argument("--name", required=True)
    w.add_argument("--slug", required=True)
    w.add_argument("--owner", required=True, help="owner's email; asks for a password if new")
    w.set_defaults(func=cmd_workspace)

    p = sub.add_parser("token", help="manage API tokens")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    t = token_sub.add_parser("create", help="create a personal API token and print it")
    t.add_argument("--user", required=True, help="the user's email")
    t.add_argument("--workspace", required=True, help="workspace slug")
    t.add_argument("--name", default="cli")
    t.add_argument("--role", default=None, help="at most the user's role (default: that role)")
    t.set_defaults(func=cmd_token)

    sub.add_parser("triage", help="train, evaluate and run the triage models", add_help=False)
    sub.add_parser("manage", help="run a Django management command", add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resonanz.settings")
    if argv[:1] == ["triage"]:
        return cmd_triage(argv[1:])
    if argv[:1] == ["manage"]:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["resonanz manage", *argv[1:]])
        return 0
    args = build_parser().parse_args(argv)
    _setup_django()
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
