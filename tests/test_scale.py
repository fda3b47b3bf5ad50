"""Scale-out for real: two web processes and two workers against one PostgreSQL.

10,000 signed webhook messages are split across both web processes (with replays); every
message must be stored exactly once and processed exactly once.
"""

from __future__ import annotations

import http.client
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from resonanz.channels.models import Delivery, DeliveryState
from resonanz.channels.signing import SIGNATURE_HEADER, sign
from resonanz.inbox.models import Message
from tests import processes

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TOTAL = int(os.environ.get("RESONANZ_SCALE_MESSAGES", "10000"))
CLIENTS = 8


def send_range(port: int, path: str, secret: str, numbers: range) -> list[int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    statuses = []
    for n in numbers:
        body = json.dumps(
            {
                "id": f"scale-{n}",
                "text": f"Nachricht {n}: Wo bleibt meine Bestellung?",
                "author": {"id": f"author-{n % 997}", "name": f"Kunde {n % 997}"},
            }
        ).encode()
        conn.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body)},
        )
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
    conn.close()
    return statuses


def test_two_web_processes_and_two_workers_store_and_process_each_message_once(webhook) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql" and not os.environ.get("RESONANZ_SCALE_TEST"):
        pytest.skip(
            "runs against PostgreSQL (CI sets DATABASE_URL); SQLite is one machine's database"
        )
    if connection.vendor != "postgresql":
        pytest.skip("scale-out needs PostgreSQL")
    ports = [processes.free_port(), processes.free_port()]
    webs = [
        processes.start(
            "serve",
            "--bind",
            f"127.0.0.1:{p}",
            "--workers",
            "1",
            "--threads",
            "8",
            MAX_REQUEST_BODY_BYTES="262144",
        )
        for p in ports
    ]
    workers = [processes.start("worker", "--interval", "0.05") for _ in range(2)]
    try:
        for port in ports:
            processes.wait_for_port(port)
        path = f"/hooks/v1/{webhook.public_key}"
        # Each client gets a slice; slices overlap so 10% of the messages arrive twice,
        # at the other web process.
        step = TOTAL // CLIENTS
        jobs = []
        for i in range(CLIENTS):
            numbers = range(i * step, min(TOTAL, (i + 1) * step + step // 10))
            jobs.append((ports[i % 2], numbers))
        with ThreadPoolExecutor(CLIENTS) as pool:
            results = list(
                pool.map(lambda job: send_range(job[0], path, webhook.secret, job[1]), jobs)
            )
        assert {s for statuses in results for s in statuses} == {202}
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if (
                not Delivery.objects.filter(state=DeliveryState.PENDING).exists()
                and not Message.objects.filter(processed_at__isnull=True).exists()
            ):
                break
            time.sleep(1)
    finally:
        processes.stop(*webs, *workers)
    assert Message.objects.count() == TOTAL
    assert Message.objects.values("external_id").distinct().count() == TOTAL
    assert not Message.objects.exclude(process_count=1).exists()
    failed = list(
        DBTaskResult.objects.filter(status="FAILED").values_list("task_path", "traceback")
    )
    assert not failed, failed
    assert not Delivery.objects.exclude(state=DeliveryState.INGESTED).exists()
