"""What every benchmark script shares: the machine report, a scratch database, the ``resonanz``
command in a subprocess, a web server on a free loopback port, and keep-alive HTTP clients.

Not a benchmark itself; the ``bench_*.py`` scripts import it (run them from anywhere).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import platform
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python")
RESONANZ = str(VENV_BIN / "resonanz")
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"


def add_database_argument(parser: Any) -> None:
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")


# --- the machine -----------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def code_version() -> str:
    """The commit measured, and whether the package had uncommitted changes."""
    head = subprocess.run(
        ["git", "-C", str(REPO), "log", "-1", "--format=%h %cd", "--date=format:%Y-%m-%d %H:%M"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--", "resonanz"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head or 'unknown'}{' + uncommitted changes in resonanz/' if dirty else ''}"


def machine_report(database: ScratchDatabase) -> str:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"code:     {code_version()}\n"
        f"machine:  {cpu_model()}, {os.cpu_count()} cores, load average {load} at start\n"
        f"python:   {platform.python_version()} ({platform.system()} {platform.release()})\n"
        f"database: {database.describe()}\n"
        f"date:     {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


# --- a scratch database ----------------------------------------------------------------------


@dataclass
class ScratchDatabase:
    """A fresh database for one benchmark: SQLite under ``/tmp/<name>/`` or a PostgreSQL
    database ``<name>`` on 127.0.0.1 that :meth:`drop` removes again."""

    vendor: str
    name: str
    directory: Path = field(init=False)

    def __post_init__(self) -> None:
        self.directory = Path("/tmp") / f"{self.name}-{self.vendor}"

    @property
    def url(self) -> str:
        if self.vendor == "sqlite":
            return f"sqlite:///{self.directory / 'resonanz.sqlite3'}"
        return f"{POSTGRES_SERVER}/{self.name}"

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.url,
            RESONANZ_VAR_DIR=str(self.directory),
            DJANGO_SETTINGS_MODULE="resonanz.settings",
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            LOG_LEVEL="WARNING",
            AXES_ENABLED="0",
        )
        env.pop("REDIS_URL", None)
        env.update(extra)
        return env

    def exists(self) -> bool:
        if self.vendor == "sqlite":
            return (self.directory / "resonanz.sqlite3").exists()
        # The name is our own constant, never input.
        out = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.name}'")  # noqa: S608
        return out.strip() == "1"

    def create(self) -> None:
        """Drop what is there, create an empty database and migrate it."""
        self.drop()
        # static/ exists so whitenoise does not warn about it (nothing is collected).
        (self.directory / "static").mkdir(parents=True, exist_ok=True)
        if self.vendor == "postgres":
            _psql(f'CREATE DATABASE "{self.name}"')
        run([RESONANZ, "migrate", "-v", "0"], env=self.env())

    def drop(self) -> None:
        if self.vendor == "postgres":
            _psql(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.directory, ignore_errors=True)

    def describe(self) -> str:
        if self.vendor == "sqlite":
            return f"SQLite {sqlite3.sqlite_version} (WAL), file under {self.directory}"
        version = _psql("SHOW server_version").strip()
        return f"PostgreSQL {version} on 127.0.0.1:5432, database {self.name}"


LOG_DIR = Path("/tmp/resonanz-bench-logs")


def log_file(name: str) -> Path:
    """Where a server's output goes; kept after the scratch database is dropped."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    return LOG_DIR / f"{name}.log"


def _psql(sql: str) -> str:
    result = subprocess.run(
        ["psql", POSTGRES_SERVER + "/postgres", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"psql failed: {result.stderr.strip()}")
    return result.stdout


def run(cmd: Sequence[str], *, env: dict[str, str], **kwargs: Any) -> str:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(cmd[:3])} ... failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout


def django_script(code: str, *, env: dict[str, str]) -> Any:
    """Run ``code`` with Django set up in a fresh interpreter; it sets ``result`` (JSON)."""
    program = (
        "import django, json\ndjango.setup()\nresult = None\n"
        + textwrap.dedent(code)
        + "\nprint('RESULT:' + json.dumps(result))\n"
    )
    out = run([PYTHON, "-c", program], env=env, cwd="/tmp")
    for line in reversed(out.splitlines()):
        if line.startswith("RESULT:"):
            return json.loads(line[len("RESULT:") :])
    raise SystemExit(f"no result from the Django script:\n{out[-2000:]}")


SETUP_WORKSPACE = """
from resonanz.accounts.models import User
from resonanz.channels.models import Channel
from resonanz.core.models import Membership, Role, Workspace

user = User.objects.create_user(email="bench@resonanz.local", password="bench-password-123")
workspace = Workspace.objects.create(name="Bench", slug="bench")
Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
"""


# --- servers and clients ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A web server process (its own process group) on a loopback port."""

    def __init__(
        self, cmd: Sequence[str], *, port: int, env: dict[str, str], log: Path, cwd: str = "/tmp"
    ) -> None:
        self.port = port
        self.log = log
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(
            cmd,
            env=env,
            cwd=cwd,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"server exited early; see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"server did not answer within {timeout}s; see {self.log}")

    def worker_pids(self) -> list[int]:
        """The server's child processes (gunicorn workers)."""
        out = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        ).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log_file.close()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


# Builds the n-th request of client number ``client``; runs inside the client process.
RequestFactory = Callable[[int, int], Request]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies_ms, p)

    def summary(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{self.per_second:8.1f} req/s  p50 {self.percentile(50):6.1f} ms  "
            f"p95 {self.percentile(95):6.1f} ms  ({self.requests} requests in "
            f"{self.seconds:.1f} s; status {statuses}; {self.errors} connection errors)"
        )


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _client(
    port: int,
    factory: RequestFactory,
    client: int,
    start_at: float,
    stop_at: float,
    queue: Any,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    n = 0
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        req = factory(client, n)
        n += 1
        began = time.perf_counter()
        try:
            conn.request(req.method, req.path, body=req.body, headers=req.headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append((time.perf_counter() - began) * 1000)
        statuses[response.status] = statuses.get(response.status, 0) + 1
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()
    queue.put((latencies, statuses, errors))


def load(port: int, factory: RequestFactory, *, clients: int, seconds: float) -> LoadResult:
    """``clients`` processes, each with one keep-alive connection, for ``seconds``."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 0.3
    stop_at = start_at + seconds
    processes = [
        context.Process(target=_client, args=(port, factory, i, start_at, stop_at, queue))
        for i in range(clients)
    ]
    for p in processes:
        p.start()
    results = [queue.get() for _ in processes]
    for p in processes:
        p.join()
    latencies = [x for r in results for x in r[0]]
    statuses: dict[int, int] = {}
    for r in results:
        for status, count in r[1].items():
            statuses[status] = statuses.get(status, 0) + count
    return LoadResult(
        requests=len(latencies),
        seconds=seconds,
        latencies_ms=latencies,
        statuses=statuses,
        errors=sum(r[2] for r in results),
    )


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def say(text: str = "") -> None:
    print(text, flush=True)
    sys.stdout.flush()


# --- profiling -------------------------------------------------------------------------------

PY_SPY = os.environ.get("PY_SPY", shutil.which("py-spy") or "/tmp/isso-venv/bin/py-spy")


def start_profiles(pids: Sequence[int], seconds: float, out: Path) -> list[subprocess.Popen[bytes]]:
    """Sample each process with py-spy for ``seconds`` (collapsed stacks, one file each)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                PY_SPY,
                "record",
                "--format",
                "raw",
                "--nolineno",
                "--rate",
                "200",
                "--duration",
                str(int(seconds)),
                "--pid",
                str(pid),
                "--output",
                f"{out}-{pid}.txt",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in pids
    ]


def hot_spots(
    files: Sequence[Path], *, within: str = "", top: int = 30, skip_above: float = 0.9
) -> str:
    """The functions with the most samples (inclusive, counted once per stack) and the
    frames where the time is actually spent (self), from py-spy's collapsed stacks.

    ``within`` keeps only stacks through that frame (e.g. ``WSGIHandler.__call__``: time
    spent on requests, not idle server threads); percentages are of those samples."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for file in files:
        for line in file.read_text(errors="replace").splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not stack or not count_text.isdigit():
                continue
            count = int(count_text)
            frames = stack.split(";")
            if within and not any(within in frame for frame in frames):
                continue
            total += count
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + count
            own[frames[-1]] = own.get(frames[-1], 0) + count
    if not total:
        return "  (no samples)"
    where = f" in {within}" if within else ""
    lines = [f"  {total} samples{where}; inclusive (without the outermost frames):"]
    ranked = [kv for kv in inclusive.items() if kv[1] <= skip_above * total]
    for frame, count in sorted(ranked, key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    lines.append("  self time (innermost frame):")
    for frame, count in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * count / total:5.1f}%  {frame}")
    return "\n".join(lines)


def start_redis(directory: Path) -> tuple[Server, str]:
    """A throwaway redis-server on a free loopback port (no persistence); returns its URL."""
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    server = Server(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        port=port,
        env=dict(os.environ),
        log=log_file("redis"),
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise SystemExit(f"redis-server did not start; see {directory / 'redis.log'}")


# --- what the intake endpoints left for the workers -------------------------------------


COUNT_BACKLOG = """
from resonanz.channels.models import Delivery
from resonanz.inbox.models import Message
result = [
    Delivery.objects.filter(state="pending").count(),
    Delivery.objects.filter(state="failed").count(),
    Message.objects.count(),
    Message.objects.filter(processed_at__isnull=True).count(),
]
"""


def drain(env: dict[str, str], *, workers: int) -> None:
    """What the answers promised (webhook 202s, widget 201s): start task workers on the
    stored deliveries and time how long they take to ingest them (messages stored) and to
    triage them (messages processed)."""
    pending, _, _, _ = django_script(COUNT_BACKLOG, env=env)
    say(f"backlog:  {pending:,} deliveries stored and waiting; starting {workers} task worker(s)")
    procs = [
        Server([RESONANZ, "worker"], port=0, env=env, log=log_file(f"webhook-drain-{i}"))
        for i in range(workers)
    ]
    start = time.monotonic()
    ingested_after = None
    try:
        while time.monotonic() - start < 1800:
            time.sleep(1)
            pending, failed, messages, unprocessed = django_script(COUNT_BACKLOG, env=env)
            if pending == 0 and ingested_after is None:
                ingested_after = time.monotonic() - start
            if pending == 0 and unprocessed == 0:
                break
    finally:
        for proc in procs:
            proc.stop()
    total = time.monotonic() - start
    say(
        f"drain:    {messages:,} messages stored in {ingested_after or total:.1f} s "
        f"({messages / (ingested_after or total):,.0f} msg/s ingested, {failed} failed deliveries);"
        f" all triaged after {total:.1f} s ({messages / total:,.0f} msg/s through the whole "
        f"pipeline; {unprocessed:,} left unprocessed); includes worker start-up and 1 s polling"
    )
