"""Extraction throughput against spaCy's bare tokenizer, on the same texts, in one run.

    python benchmarks/extraction_speed.py [--jobs N] [--repeat K] [INPUT...]

INPUT defaults to the bundled sample and the held-out papers of tests/data. Both sides start
cold (fresh objects) and see the texts once each; each is timed `--repeat` times (fresh
objects every time, the measures taking turns) and the best run counts. Prints one JSON
line per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import spacy

import kg
from kg.extract import build_pipeline, extract
from kg.ingest import ingest

HERE = Path(__file__).resolve().parent
DEFAULT_INPUTS = [kg.sample_dir(), HERE.parent / "tests" / "data" / "heldout-papers.jsonl"]


def seconds(setup: Callable[[], Any], run: Callable[[Any], Any]) -> float:
    """Time of one run on a fresh `setup()` object (setup not timed)."""
    fresh = setup()
    started = time.perf_counter()
    run(fresh)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for row in measure(ingest(args.inputs or DEFAULT_INPUTS).papers, args.jobs, args.repeat):
        print(json.dumps(row))


def measure(papers: list, jobs: int, repeat: int) -> list[dict]:
    """The bare tokenizer's docs/s, then kg extraction's (1 and `jobs` processes) with
    their ratio to it, on the texts of `papers`."""
    texts = [paper.text for paper in papers]
    measures: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]] = {
        "bare tokenizer": (lambda: spacy.blank("en").tokenizer,
                           lambda tok: list(tok.pipe(texts)))}
    for count in sorted({1, jobs}):
        measures[f"kg extraction, {count}"] = (
            build_pipeline, lambda nlp, count=count: list(extract(papers, nlp, jobs=count)))
    # rounds interleave the measures, so that a change in machine load hits all of them
    best = dict.fromkeys(measures, float("inf"))
    for _ in range(repeat):
        for name, (setup, run) in measures.items():
            best[name] = min(best[name], seconds(setup, run))
    tokenizer = len(texts) / best.pop("bare tokenizer")
    rows = [{"measure": "bare tokenizer", "docs": len(texts), "docs_per_s": round(tokenizer)}]
    for name, elapsed in best.items():
        rate = len(texts) / elapsed
        rows.append({"measure": "kg extraction", "jobs": int(name.rsplit(" ", 1)[1]),
                     "docs": len(texts), "docs_per_s": round(rate),
                     "ratio_to_tokenizer": round(rate / tokenizer, 3)})
    return rows


if __name__ == "__main__":
    main()
