"""Publish: a resolved corpus -> the networkx graph and every output file, written
atomically into one folder.

In: papers, the `Resolution`. Out: the graph, and in DIR: graph.ttl, graph.nt,
graph.jsonld, graph.html, graph.graphml, graph.json, extractions.jsonl, entities.csv,
papers.csv, report.md, store/ (Oxigraph), plus papers.jsonl and mentions.jsonl (the records
`kg.load` and `kg add` read back) and build.json (the options `kg add` publishes with).
Everything is written to a temporary folder beside DIR and swapped in at the end, so a
failed build leaves the previous outputs as they were.
"""

from __future__ import annotations

import csv
import ctypes
import errno
import gc
import itertools
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import networkx as nx
from pydantic import TypeAdapter

from kg import graph as graph_io
from kg import rdf, viz
from kg.model import BuildSummary, GoldEntity, GoldPaper, Mentions, Paper, records_of
from kg.parallel import Task, Writers
from kg.resolve import Resolution
from kg.timing import Stopwatch, collector_paused

BUILD_FILES = ("graph.ttl", "graph.nt", "graph.jsonld", "graph.html", "graph.graphml",
               "graph.json", "extractions.jsonl", "entities.csv", "papers.csv", "report.md",
               "papers.jsonl", "mentions.jsonl", "build.json", "store",
               # made by `kg analyze`: a new build drops them with the report they belong to
               "top-entities.png", "degree-distribution.png", "community-sizes.png",
               "new-entities.png")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def gold_format(papers: Iterable[Paper], resolution: Resolution) -> Iterator[GoldPaper]:
    """One record per paper in input order, in the gold format of the guidelines."""
    for paper in papers:
        yield GoldPaper(id=paper.id, title=paper.title, entities=[
            GoldEntity(name=item.name, aliases=item.aliases, type=item.type, role=item.role)
            for item in resolution.paper_entities.get(paper.key, [])])


def write_jsonl(records: Iterable, path: Path) -> None:
    lines = (records.json_lines() if isinstance(records, Mentions)
             else (record.model_dump_json() for record in records))
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")


def csv_cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading =, +, -, @ would start a formula."""
    text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(rows: Iterable[dict], path: Path, columns: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: csv_cell(row.get(c, "")) for c in columns})


def write_tables(papers: list[Paper], resolution: Resolution, directory: Path) -> None:
    entity_columns = ["key", "name", "type", "aliases", "family", "papers", "mentions"]
    write_csv((e.model_dump(mode="json") for e in resolution.entities.values()),
              directory / "entities.csv", entity_columns)
    paper_rows = ({"key": p.key, "id": p.id, "title": p.title, "date": p.date or "",
                   "url": p.url or "", "arxiv_id": p.arxiv_id or "",
                   "listings": graph_io.listing_label(p),
                   "entities": [i.entity for i in resolution.paper_entities.get(p.key, [])]}
                  for p in papers)
    write_csv(paper_rows, directory / "papers.csv",
              ["key", "id", "title", "date", "url", "arxiv_id", "listings", "entities"])


def report(summary: BuildSummary, resolution: Resolution, skipped: list[str],
           warnings: Iterable[str] = (), stages: dict[str, float] | None = None) -> str:
    lines = ["# kg build report", "",
             f"- listings read: {summary.listings}", f"- distinct papers: {summary.papers}",
             f"- mentions: {summary.mentions}",
             f"- entities: {sum(summary.entities.values())} "
             f"({', '.join(f'{t}: {n}' for t, n in sorted(summary.entities.items()))})",
             f"- paper-entity edges: {summary.paper_entity_edges}",
             f"- paper-paper edges: {summary.paper_paper_edges}",
             f"- RDF triples: {summary.triples}", f"- seconds: {summary.seconds:.1f}", ""]
    if skipped:
        lines += [f"## Skipped input ({len(skipped)})", "", *[f"- {s}" for s in skipped], ""]
    if warnings := list(warnings):
        lines += [f"## Duplicates with different content ({len(warnings)})", "",
                  *[f"- {w}" for w in warnings], ""]
    lines += ["## Most mentioned entities", "", "| entity | type | papers |", "|---|---|---|"]
    top = sorted(resolution.entities.values(), key=lambda e: (-e.papers, e.key))[:25]
    lines += [f"| {e.name.replace('|', '/')} | {e.type.value} | {e.papers} |" for e in top]
    if stages:
        lines += ["", "## Seconds per stage", "", "| stage | seconds |", "|---|---|"]
        lines += [f"| {name} | {seconds:.1f} |" for name, seconds in stages.items()]
    return "\n".join(lines) + "\n"


def edge_counts(graph: nx.Graph) -> Counter[str]:
    return Counter(kind for _, _, kind in graph.edges(data="kind"))


def exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step (Linux renameat2 with RENAME_EXCHANGE).

    Returns False where the system cannot (no renameat2, or a file system without it).
    """
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, bytes(first), at_fdcwd, bytes(second), rename_exchange) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(second))


def carry_over(target: Path, work: Path) -> None:
    """Copy what the user keeps in the output folder (a README, notes) into the new build.

    Copies, never moves: until the swap, the previous folder stays whole."""
    for item in target.iterdir():
        if item.name in BUILD_FILES or (work / item.name).exists():
            continue
        if item.is_dir():
            shutil.copytree(item, work / item.name, symlinks=True)
        else:
            shutil.copy2(item, work / item.name)


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a fresh folder beside `target`; on success it replaces `target` in one step.

    Files in `target` that a build does not write (such as a README) are carried over. On
    failure, or if the process is killed at any point, `target` is left as it was; the
    next build removes the temporary folders a killed build left behind.
    """
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    work.chmod(0o755)  # mkdtemp makes it private; outputs are for the user's other tools too
    try:
        yield work
        if not target.exists():
            work.rename(target)
            return
        carry_over(target, work)
        if exchange(work, target):
            shutil.rmtree(work, ignore_errors=True)  # now holds the previous build
            return
        old = target.with_name(f".{target.name}.old.tmp")  # systems without an atomic swap
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        work.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


@dataclass
class BuildOptions:
    """How a build was made (build.json): `kg add` publishes the grown graph the same way."""

    html_max_nodes: int = 500
    base_iri: str = rdf.DEFAULT_BASE
    evidence: bool = True
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # duplicates whose content differs


def write_manifest(directory: Path, options: BuildOptions) -> None:
    (directory / "build.json").write_text(json.dumps(asdict(options), indent=1) + "\n",
                                          encoding="utf-8")


def read_manifest(directory: Path) -> BuildOptions:
    """The options of the build in `directory` (its build.json)."""
    return BuildOptions(**json.loads((directory / "build.json").read_text(encoding="utf-8")))


def publish(papers: list[Paper], resolution: Resolution, directory: Path, skipped: list[str],
            html_max_nodes: int = 500, base_iri: str = rdf.DEFAULT_BASE, evidence: bool = True,
            run: rdf.ExtractionRun | None = None, warnings: Iterable[str] = (),
            stopwatch: Stopwatch | None = None, jobs: int = 1) -> tuple[nx.Graph, BuildSummary]:
    """Build the networkx graph and write every output into `directory` atomically; return
    the graph and the build's summary (its seconds up to the graph, the triple count).

    The writers run in forked processes (kg.parallel), at most `jobs` at once. Those that
    need only the papers and the resolution (the RDF files and the store, the JSONL files,
    the CSVs) come first: `jobs - 1` of them start while this process builds the graph (it
    is the jobs-th busy process); the graph's writers are added once it exists. report.md
    gives the graph's seconds, the writers' wall time after it, and each writer's own.
    """
    watch = stopwatch or Stopwatch()
    beside = max(jobs - 1, 0)  # 100,000 papers, 2 cores: graph + writers 41 s; 2 beside: 45
    with atomic_directory(directory) as work, Writers(jobs) as pool:
        tasks = [*rdf.writers(papers, resolution, work, base_iri, evidence, run),
                 *table_writers(papers, resolution, work)]
        pool.start(tasks, at_most=beside)
        with watch.stage(f"networkx graph, writers beside it: {beside}"), collector_paused():
            graph = graph_io.build_graph(papers, resolution)
        summary = summarize(papers, resolution, graph, len(skipped), watch.total())
        graph_tasks = graph_writers(graph, resolution, work, html_max_nodes)
        pool.start(graph_tasks)
        tasks += graph_tasks
        stage = f"publish: {len(tasks)} writers in {jobs} processes (wall after the graph)"
        with watch.stage(stage):
            done = pool.wait()
        for task in tasks:
            watch.add(f"{task.name} (writer, side by side)", done[task.name].seconds)
        summary = summary.model_copy(update={"triples": done[rdf.STORE_TASK].value})
        (work / "report.md").write_text(
            report(summary, resolution, skipped, warnings, watch.seconds), encoding="utf-8")
        write_manifest(work, BuildOptions(html_max_nodes, base_iri, evidence, skipped,
                                          list(warnings)))
    return graph, summary


def table_writers(papers: list[Paper], resolution: Resolution, work: Path) -> list[Task]:
    """The tasks that write papers.jsonl, mentions.jsonl, extractions.jsonl and the CSVs
    (no graph needed)."""
    return [
        Task("papers.jsonl, mentions.jsonl", lambda: (
            write_jsonl(papers, work / "papers.jsonl"),
            write_jsonl(resolution.mentions, work / "mentions.jsonl"))),
        Task("extractions.jsonl, CSV", lambda: (
            write_jsonl(gold_format(papers, resolution), work / "extractions.jsonl"),
            write_tables(papers, resolution, work))),
    ]


def graph_writers(graph: nx.Graph, resolution: Resolution, work: Path,
                  html_max_nodes: int) -> list[Task]:
    """The tasks that write the graph's files: graph.json, graph.graphml, graph.html."""
    return [
        Task("graph.json", lambda: graph_io.write_node_link(graph, work / "graph.json")),
        Task("graph.graphml", lambda: graph_io.write_graphml(graph, work / "graph.graphml")),
        Task("graph.html", lambda: viz.write_html(graph, work / "graph.html", html_max_nodes,
                                                  mentions=records_of(resolution.mentions))),
    ]


def summarize(papers: list[Paper], resolution: Resolution, graph: nx.Graph, skipped: int,
              seconds: float) -> BuildSummary:
    edges = edge_counts(graph)
    return BuildSummary(
        listings=sum(len(paper.listings) for paper in papers), papers=len(papers), skipped=skipped,
        mentions=len(resolution.mentions),
        entities=dict(Counter(e.type.value for e in resolution.entities.values())),
        paper_entity_edges=edges[graph_io.MENTIONS], paper_paper_edges=edges[graph_io.SHARES],
        triples=0, seconds=seconds)


def read_jsonl(path: Path, model: type, lines_per_chunk: int = 50_000) -> list:
    """Every record of a JSON Lines file, validated as `model`, in order.

    Each chunk of lines goes to pydantic's JSON parser as one array (a quarter of the time
    of a json.loads and a validation per line), with Python's cycle collector paused: the
    records all stay alive, and its passes over them (half the reading time) free nothing.
    """
    adapter = TypeAdapter(list[model])
    records: list = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        with path.open("rb") as lines:
            while chunk := list(itertools.islice(lines, lines_per_chunk)):
                records += adapter.validate_json(
                    b"[" + b",".join(line for line in chunk if line.strip()) + b"]")
    finally:
        if collecting:
            gc.enable()
    return records
