"""The scale benchmark: every figure of the scale issue in one run, each speed a ratio to a
reference measured in the same run.

    python benchmarks/run.py --papers N [--jobs J] [--add K] [--dask-papers M]
                             [--no-queries] [--work DIR] [--results benchmarks/RESULTS.md]

Measures, printing one JSON line each:
- extraction docs/s against spaCy's bare tokenizer on the same texts (extraction_speed.py,
  the 377 real abstracts of the sample and the held-out set);
- `kg build` of N synthetic papers (generate_corpus.py, seed 0; --no-evidence): wall time
  and peak RSS (of the largest process);
- `kg add` of a K-paper listing (seed 1) to that build: time, against the build's;
- SPARQL in the build's Oxigraph store against rdflib in memory (query_speed.py);
- with --dask-papers M: extraction of the first M papers on a Dask LocalCluster of J workers
  against the local run (J forked processes): identical extractions, and the time ratio.

Then writes (or replaces) the section of RESULTS.md for this N, between markers; the other
sections of RESULTS.md are left as they are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import extraction_speed  # noqa: E402  (the scripts beside this one)
import generate_corpus  # noqa: E402
import query_speed  # noqa: E402

from kg.api import default_jobs, extract_papers  # noqa: E402
from kg.ingest import ingest  # noqa: E402


def write_corpus(path: Path, count: int, seed: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for paper in generate_corpus.papers(count, seed):
            out.write(json.dumps(paper) + "\n")
    return path


def timed_command(*args: str) -> tuple[float, int]:
    """Run `python -m kg.cli ARGS`; its wall seconds and peak RSS in MB (its largest process,
    from wait4: the figure of that command alone)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"kg {' '.join(args)} failed: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return seconds, usage.ru_maxrss // 1024


def stage_seconds(build: Path) -> dict[str, float]:
    """The "Seconds per stage" table of the build's report.md."""
    text = (build / "report.md").read_text(encoding="utf-8")
    table = text.split("## Seconds per stage", 1)[1]
    rows = [line.strip("|").split("|") for line in table.splitlines() if line.startswith("| ")]
    return {name.strip(): float(value) for name, value in rows[1:]}


def build_and_add(work: Path, papers: int, added: int, jobs: int) -> Iterator[dict]:
    corpus = write_corpus(work / "corpus" / "corpus.jsonl", papers, seed=0)
    listing = write_corpus(work / "listing" / "new.jsonl", added, seed=1)
    build = work / "build"
    seconds, rss = timed_command("build", str(corpus), "-o", str(build), "--no-evidence",
                                 "--jobs", str(jobs))
    yield {"measure": "kg build", "papers": papers, "jobs": jobs, "seconds": round(seconds, 1),
           "peak_rss_mb": rss, "stages": stage_seconds(build)}
    add_seconds, add_rss = timed_command("add", str(listing), "--to", str(build),
                                         "--jobs", str(jobs))
    yield {"measure": "kg add", "papers": added, "to_papers": papers,
           "seconds": round(add_seconds, 1), "peak_rss_mb": add_rss,
           "ratio_to_build": round(add_seconds / seconds, 3), "stages": stage_seconds(build)}


def dask_against_local(corpus: Path, count: int, jobs: int) -> dict:
    papers = ingest([corpus]).papers[:count]
    started = time.perf_counter()
    local = extract_papers(papers, jobs=jobs)
    local_s = time.perf_counter() - started
    started = time.perf_counter()
    on_dask = extract_papers(papers, jobs=jobs, cluster="local")
    dask_s = time.perf_counter() - started
    same = [(p.key, [m.model_dump() for m in found]) for p, found in local] == [
        (p.key, [m.model_dump() for m in found]) for p, found in on_dask]
    return {"measure": "dask LocalCluster extraction", "papers": count, "workers": jobs,
            "identical_to_local": same, "mentions": sum(len(found) for _, found in on_dask),
            "local_s": round(local_s, 1), "dask_s": round(dask_s, 1),
            "ratio_dask_to_local": round(dask_s / local_s, 2)}


def markdown(rows: list[dict], papers: int) -> str:
    lines = [f"## Scale run: `benchmarks/run.py --papers {papers}`", "",
             f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, Python "
             f"{platform.python_version()}; written by run.py (each line one JSON row).", "",
             "| measure | figures |", "|---|---|"]
    for row in rows:
        figures = ", ".join(f"{k}: {v}" for k, v in row.items() if k != "measure")
        lines.append(f"| {row['measure']} | {figures} |")
    return "\n".join(lines) + "\n"


def write_section(results: Path, section: str, papers: int) -> None:
    """Replace this N's section of RESULTS.md (between its markers), or append it."""
    marker = f"<!-- run.py --papers {papers}"
    begin, end = f"{marker}: begin -->", f"{marker}: end -->"
    text = results.read_text(encoding="utf-8") if results.exists() else "# Benchmark results\n"
    block = f"{begin}\n{section}{end}\n"
    if begin in text and end in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end) + 1:]
    else:
        text = text.rstrip("\n") + "\n\n" + block
    results.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--add", type=int, default=80, help="papers of the added listing")
    parser.add_argument("--dask-papers", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-queries", action="store_true")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    rows: list[dict] = []

    def emit(row: dict) -> None:
        rows.append(row)
        print(json.dumps(row), flush=True)

    for row in extraction_speed.measure(ingest(extraction_speed.DEFAULT_INPUTS).papers,
                                        args.jobs, args.repeat):
        emit(row)
    for row in build_and_add(work, args.papers, args.add, args.jobs):
        emit(row)
    if not args.no_queries:
        for row in query_speed.measure(work / "build", args.repeat):
            emit(row)
    if args.dask_papers:
        emit(dask_against_local(work / "corpus" / "corpus.jsonl", args.dask_papers, args.jobs))
    write_section(args.results, markdown(rows, args.papers), args.papers)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
