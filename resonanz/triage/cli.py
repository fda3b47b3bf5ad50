"""`resonanz triage train | predict | evaluate`: thin command-line edges over the triage core."""

from __future__ import annotations

import argparse
import contextlib
import csv
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from resonanz.triage.labels import DEFAULT_LANGUAGES, TASKS

PREDICT_CHUNK_ROWS = 2000


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `resonanz triage`."""
    parser = argparse.ArgumentParser(prog="resonanz triage", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="retrain every model into the artifacts folder")
    train.add_argument("--datasets", help="folder of the shared datasets")

    predict = commands.add_parser("predict", help="label a CSV of texts (columns id,text[,lang])")
    predict.add_argument("--task", required=True, choices=TASKS)
    predict.add_argument("--in", dest="input", required=True, help="input CSV, or - for stdin")
    predict.add_argument("--out", dest="output", required=True, help="output CSV, or - for stdout")
    predict.add_argument(
        "--languages",
        default=",".join(DEFAULT_LANGUAGES),
        help="comma-separated ISO 639-1 codes the texts may be in",
    )

    evaluate = commands.add_parser("evaluate", help="score all tasks and peers on validation data")
    evaluate.add_argument("--datasets", help="folder of the shared datasets")
    evaluate.add_argument("--out", help="markdown file to write (default benchmarks/triage.md)")
    return parser


def read_chunks(handle: TextIO, chunk_rows: int) -> Iterator[list[dict[str, str]]]:
    """Rows of a CSV with an `id` and a `text` column, in lists of at most `chunk_rows`."""
    reader = csv.DictReader(handle)
    columns = set(reader.fieldnames or ())
    missing = {"id", "text"} - columns
    if missing:
        raise ValueError(
            f"input CSV lacks column(s) {', '.join(sorted(missing))}; expected a header with "
            f"id,text and optionally lang (found: {', '.join(sorted(columns)) or 'none'})"
        )
    chunk: list[dict[str, str]] = []
    for row in reader:
        chunk.append(row)
        if len(chunk) >= chunk_rows:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def run_predict(task: str, input_path: str, output_path: str, languages: list[str]) -> int:
    """Stream the input CSV through one task and write id,label,score."""
    from resonanz.triage.pipeline import get_triage

    triage = get_triage()
    show_progress = sys.stderr.isatty()
    started = time.perf_counter()
    done = 0
    with contextlib.ExitStack() as stack:
        input_handle: TextIO = (
            sys.stdin
            if input_path == "-"
            else stack.enter_context(open(input_path, newline="", encoding="utf-8"))
        )
        output_handle: TextIO = (
            sys.stdout
            if output_path == "-"
            else stack.enter_context(open(output_path, "w", newline="", encoding="utf-8"))
        )
        writer = csv.writer(output_handle)
        writer.writerow(["id", "label", "score"])
        for chunk in read_chunks(input_handle, PREDICT_CHUNK_ROWS):
            texts = [row["text"] or "" for row in chunk]
            given = [(row.get("lang") or "").strip().lower() for row in chunk]
            langs = given if any(given) else None
            predictions = triage.predict_task(task, texts, langs, languages=languages)
            for row, (label, score) in zip(chunk, predictions, strict=True):
                writer.writerow([row["id"], label, f"{score:.4f}"])
            done += len(chunk)
            if show_progress:
                rate = done / max(time.perf_counter() - started, 1e-9)
                print(f"\r{done:,} rows · {rate:,.0f} rows/s", end="", file=sys.stderr, flush=True)
    if show_progress:
        print(file=sys.stderr)
    return 0


def run_evaluate(datasets: str | None, output: str | None) -> int:
    """Score everything, write the benchmark table and the model card's scores."""
    from resonanz.triage.evaluation import (
        BENCHMARK_PATH,
        evaluate_all,
        markdown_table,
        missing_peers_note,
        offline_peers,
        update_model_card,
        write_benchmark,
    )
    from resonanz.triage.pipeline import Triage

    peers = offline_peers()
    missing = [name for name, predictor in peers.items() if predictor is None]
    if missing:
        print(missing_peers_note(missing).strip(), file=sys.stderr)
    scores = evaluate_all(Triage.load(), Path(datasets) if datasets else None, peers)
    write_benchmark(scores, Path(output) if output else BENCHMARK_PATH, missing)
    update_model_card(scores)
    print(markdown_table(scores))
    return 0


def main(argv: list[str]) -> int:
    """Entry point: parse `argv` (without the program name) and run the subcommand."""
    arguments = build_parser().parse_args(argv)
    try:
        if arguments.command == "train":
            from resonanz.triage.training import train_all

            train_all(Path(arguments.datasets) if arguments.datasets else None)
            return 0
        if arguments.command == "predict":
            languages = [code.strip() for code in arguments.languages.split(",") if code.strip()]
            return run_predict(arguments.task, arguments.input, arguments.output, languages)
        return run_evaluate(arguments.datasets, arguments.out)
    except UnicodeDecodeError as error:
        print(
            f"error: the input is not UTF-8 ({error.reason}); re-save it as UTF-8 CSV",
            file=sys.stderr,
        )
        return 2
    except (FileNotFoundError, ValueError, csv.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
