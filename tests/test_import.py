from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from resonanz.channels.fileimport import ImportFileError, import_bytes
from resonanz.inbox.models import Conversation, Message
from tests import processes

CSV = (
    "id,text,author_id,author_name,created_at,thread_key\n"
    "1,Hallo Welt,a1,Anna,2026-11-01T10:00:00+01:00,post-1\n"
    '2,"Zeile mit\nUmbruch, und Komma",a2,Ben,,post-1\n'
    "3,,a3,Clara,,\n"
    "4,Kaputtes Datum,a4,Dora,gestern,\n"
    "5,Zu viele,a5,Eva,,,extra\n"
    "6,Gut,a1,Anna,2026-11-02T10:00:00Z,\n"
)


def test_csv_good_lines_imported_bad_lines_reported(importer) -> None:
    report = import_bytes(importer, CSV.encode(), name="x.csv")
    assert report.imported == 3
    assert [(e.line, e.reason.split(" ")[0]) for e in report.errors] == [
        (5, "text"),
        (6, "created_at"),
        (7, "more"),
    ]
    assert Message.objects.get(external_id="2").body == "Zeile mit\nUmbruch, und Komma"
    again = import_bytes(importer, CSV.encode(), name="x.csv")
    assert again.imported == 0 and again.duplicates == 3
    assert Message.objects.count() == 3


def test_jsonl_with_broken_lines(importer) -> None:
    lines = [
        json.dumps({"id": "a", "text": "eins", "author_id": "u"}),
        "{not json",
        json.dumps(["a list"]),
        "",
        json.dumps({"id": "b", "text": "zwei", "author_id": "u", "in_reply_to": "a"}),
        json.dumps({"id": "c", "text": {"nested": 1}, "author_id": "u"}),
    ]
    report = import_bytes(importer, "\n".join(lines).encode(), name="x.jsonl")
    assert report.imported == 2
    assert [e.line for e in report.errors] == [2, 3, 6]
    assert Conversation.objects.count() == 1


def test_reach_and_reactions_columns(importer) -> None:
    rows = (
        "id,text,author_id,author_reach,reactions\n"
        "1,Alle reden darüber,a1,120000,950\n"
        "2,Ohne Zahlen,a2,,\n"
        "3,Negativ,a3,-5,\n"
        "4,Zu viele,a4,,99999999999\n"
        "5,Keine Zahl,a5,,viele\n"
        "6,Hochgestellt,a6,²,\n"
    )
    report = import_bytes(importer, rows.encode(), name="x.csv")
    assert report.imported == 2
    assert [(e.line, e.reason.split(" ")[0]) for e in report.errors] == [
        (4, "author_reach"),
        (5, "reactions"),
        (6, "reactions"),
        (7, "author_reach"),
    ]
    first, second = Message.objects.order_by("external_id")
    assert (first.reactions, first.author_contact.identities.get().reach) == (950, 120_000)
    assert second.reactions is None


def test_mapping_and_dry_run(importer) -> None:
    data = b"comment_id,body,user\nx1,Hallo,u1\n"
    with pytest.raises(ImportFileError, match="Required columns are missing"):
        import_bytes(importer, data, name="x.csv")
    mapping = {"id": "comment_id", "text": "body", "author_id": "user"}
    dry = import_bytes(importer, data, name="x.csv", mapping=mapping, dry_run=True)
    assert dry.imported == 1 and not Message.objects.exists()
    assert import_bytes(importer, data, name="x.csv", mapping=mapping).imported == 1


def test_wrong_encoding_is_reported_per_line(importer) -> None:
    data = "id,text,author_id\n1,Grüße,a\n2,ok,b\n".encode("latin-1")
    report = import_bytes(importer, data, name="x.csv")
    assert report.imported == 1
    assert report.errors[0].line == 2 and "UTF-8" in report.errors[0].reason


def test_bom_and_unknown_format(importer) -> None:
    assert (
        import_bytes(importer, b"\xef\xbb\xbfid,text,author_id\n1,a,b\n", name="x.csv").imported
        == 1
    )
    with pytest.raises(ImportFileError):
        import_bytes(importer, b"", name="x.xlsx")
    with pytest.raises(ImportFileError, match="empty"):
        import_bytes(importer, b"", name="x.csv")


def test_upload_in_the_ui(alice_client, importer) -> None:  # type: ignore[no-untyped-def]
    upload = io.BytesIO(CSV.encode())
    upload.name = "comments.csv"
    response = alice_client.post("/w/acme/settings/import/", {"file": upload, "channel": "import"})
    assert response.status_code == 200
    assert "Kaputtes" not in response.content.decode()  # lines are reported by number and reason
    assert "created_at must be" in response.content.decode()
    assert Message.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_cli_import(tmp_path: Path, importer) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "in.csv"
    path.write_text(CSV)
    env = processes.env()
    cmd = [
        sys.executable,
        "-m",
        "resonanz.cli",
        "import",
        str(path),
        "--workspace",
        "acme",
        "--channel",
        "import",
    ]
    out = subprocess.run([*cmd, "--dry-run"], capture_output=True, text=True, env=env, timeout=120)
    assert "would import 3 message(s)" in out.stdout, out.stderr
    assert "line 5: text is empty" in out.stderr
    assert Message.objects.count() == 0
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert "imported 3 message(s)" in out.stdout
    out = subprocess.run([*cmd[:-1], "nope"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 2 and "No channel 'nope'" in out.stderr
