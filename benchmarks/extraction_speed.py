"""Extraction throughput against spaCy's bare tokenizer, on the same texts, in one run.

    python benchmarks/extraction_speed.py [--jobs N] [--repeat K] [INPUT...]

INPUT defaults to the bundled sample and the held-out papers of tests/data. Both sides start
cold (fresh objects) and see the texts once each; each is timed `--repeat` times (fresh
objects every time) and the best run counts. Prints one JSON line per measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import spacy

import kg
from kg.extract import build_pipeline, extract
from kg.ingest import ingest

HERE = Path(__file__).resolve().parent
DEFAULT_INPUTS = [kg.sample_dir(), HERE.parent / "tests" / "data" / "heldout-papers.jsonl"]


def best_rate(setup, run, count: int, repeat: int) -> float:
    """Docs per second of the fastest of `repeat` runs, each on a fresh `setup()` object."""
    best = float("inf")
    for _ in range(repeat):
        fresh = setup()
        started = time.perf_counter()
        run(fresh)
        best = min(best, time.perf_counter() - started)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("inputs", nargs="*", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    papers = ingest(args.inputs or DEFAULT_INPUTS).papers
    texts = [paper.text for paper in papers]

    tokenizer = best_rate(lambda: spacy.blank("en").tokenizer,
                          lambda tok: list(tok.pipe(texts)), len(texts), args.repeat)
    rows = [{"measure": "bare tokenizer", "docs": len(texts), "docs_per_s": round(tokenizer)}]
    for jobs in sorted({1, args.jobs}):
        rate = best_rate(build_pipeline,
                         lambda nlp, jobs=jobs: list(extract(papers, nlp, jobs=jobs)),
                         len(texts), args.repeat)
        rows.append({"measure": "kg extraction", "jobs": jobs, "docs": len(texts),
                     "docs_per_s": round(rate), "ratio_to_tokenizer": round(rate / tokenizer, 3)})
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
