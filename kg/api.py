"""The Python API: build a knowledge graph from listings, or load a built one.

    >>> import kg
    >>> built = kg.build(["my-listings/"], "outputs")      # doctest: +SKIP
    >>> graph = kg.load("outputs").graph                      # doctest: +SKIP

`build` runs every stage (ingest -> extract -> resolve -> graph -> publish); `add` grows a
build with new listings, extracting only the papers new to it; `load` reads a build's outputs
back without extracting again. The `kg` command is a thin layer over these.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import networkx as nx
import pyoxigraph

from kg import analytics, rdf
from kg import graph as graph_io
from kg.extract import build_pipeline, extract
from kg.extract.corpus import CORPUS_RULE, discovered_names, propagate, propagate_added
from kg.ingest import Corpus, RawRecord, conflicts, describe_skipped, ingest, merge
from kg.model import BuildSummary, Entity, Mention, Paper, normalize_title
from kg.publish import BuildOptions, publish, read_jsonl, read_manifest
from kg.resolve import Resolution, resolve
from kg.timing import Stopwatch, collector_paused
from kg.version import __version__

SMALL_BATCH = 256
"""Fewer papers than this are extracted in this process: starting worker processes costs
more than it saves (80 papers: 1.0 s in one process, 1.3 s with two workers)."""


def default_jobs() -> int:
    """Extraction processes: every core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def sample_dir() -> Path:
    """The bundled sample corpus: five Hugging Face Daily Papers listings."""
    return Path(str(files("kg").joinpath("data/sample")))


@dataclass
class KnowledgeGraph:
    """A built graph: its papers, entities, networkx graph and (on disk) Oxigraph store."""

    papers: list[Paper]
    entities: dict[str, Entity]
    graph: nx.Graph
    mentions: Sequence[Mention] = field(default_factory=list)
    directory: Path | None = None
    summary: BuildSummary | None = None
    skipped: list[str] = field(default_factory=list)  # "record skipped: file:line: cause"
    warnings: list[str] = field(default_factory=list)  # duplicates whose content differs
    added: int | None = None
    """`kg add` only: papers new to the build (extracted) and papers it held already."""
    known: int | None = None

    @property
    def store(self) -> pyoxigraph.Store:
        if self.directory is None:
            raise ValueError("this graph has not been written to disk")
        return rdf.open_store(self.directory / "store")

    def query(self, sparql: str) -> pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean:
        return self.store.query(sparql)


def extract_corpus(corpus: Corpus, on_paper: Callable[[], None] | None = None,
                   lexicon_dir: str | None = None, jobs: int = 1) -> Resolution:
    """Extraction (a pass per paper, then the corpus-level pass) and resolution."""
    nlp = build_pipeline(lexicon_dir)
    return resolve(corpus_pass(list(extract(corpus.papers, nlp, jobs=jobs, on_paper=on_paper))))


def extract_papers(papers: list[Paper], on_paper: Callable[[], None] | None = None,
                   jobs: int | None = None, cluster: str | None = None,
                   ) -> list[tuple[Paper, Sequence[Mention]]]:
    """The per-paper pass: forked processes, or a Dask cluster ("local" or an address)."""
    if cluster:
        from kg.extract.cluster import extract_on_dask

        return list(extract_on_dask(papers, None if cluster == "local" else cluster,
                                    workers=jobs or default_jobs(), on_paper=on_paper))
    jobs = 1 if len(papers) < SMALL_BATCH else jobs or default_jobs()
    return list(extract(papers, build_pipeline(), jobs=jobs, on_paper=on_paper))


def corpus_pass(first_pass: list[tuple[Paper, Sequence[Mention]]],
                ) -> Iterator[tuple[Paper, Sequence[Mention]]]:
    """The corpus-level pass over every paper's first-pass mentions (run as it is read; the
    papers' `Mentions` gain the corpus-level mentions in place)."""
    yield from propagate(first_pass, discovered_names(first_pass))


def build(inputs: Iterable[Path | str] | None = None, output: Path | str = "outputs", *,
          on_paper: Callable[[], None] | None = None, on_corpus: Callable[[Corpus], None]
          | None = None, html_max_nodes: int = 500, base_iri: str = rdf.DEFAULT_BASE,
          on_error: str = "fail", jobs: int | None = None, evidence: bool = True,
          cluster: str | None = None) -> KnowledgeGraph:
    """Build the knowledge graph of `inputs` (default: the bundled sample) into `output`.

    Extraction runs in `jobs` forked processes (default: every core), or with `cluster` on
    Dask: "local" for a LocalCluster of `jobs` workers, else a scheduler's address.
    """
    watch = Stopwatch()
    run = rdf.ExtractionRun(version=__version__)
    with watch.stage("ingest"):
        corpus = ingest(list(inputs) if inputs else [sample_dir()], on_error=on_error)
    if on_corpus:
        on_corpus(corpus)
    with watch.stage("extraction"):
        first_pass = extract_papers(corpus.papers, on_paper, jobs, cluster)
    options = BuildOptions(html_max_nodes, base_iri, evidence,
                           [describe_skipped(err) for err in corpus.skipped], corpus.warnings)
    return finish(corpus.papers, corpus_pass(first_pass), Path(output), options, run, watch,
                  jobs)


def finish(papers: list[Paper], extractions: Iterable[tuple[Paper, Sequence[Mention]]],
           output: Path, options: BuildOptions, run: rdf.ExtractionRun,
           watch: Stopwatch, jobs: int | None = None) -> KnowledgeGraph:
    """Resolution, graph and every output (written by `jobs` processes, default every
    core): what build and add share.

    `extractions`: each paper with its mentions after the corpus-level pass, in the order
    of `papers`; a generator, so that the pass is timed with resolution."""
    with collector_paused(), watch.stage("corpus-level pass, resolution"):
        resolution = resolve(extractions)
    run.ended = datetime.now(UTC)
    graph, summary = publish(papers, resolution, output, options.skipped,
                             html_max_nodes=options.html_max_nodes, base_iri=options.base_iri,
                             evidence=options.evidence, run=run, warnings=options.warnings,
                             stopwatch=watch, jobs=jobs or default_jobs())
    summary = summary.model_copy(update={"seconds": watch.total()})
    return KnowledgeGraph(papers=papers, entities=resolution.entities, graph=graph,
                          mentions=resolution.mentions, directory=output.resolve(),
                          summary=summary, skipped=options.skipped, warnings=options.warnings)


def records_of(paper: Paper) -> Iterator[RawRecord]:
    """A merged paper as the records it was merged from: merging them again gives it back."""
    for number, listing in enumerate(paper.listings):
        first = number == 0
        yield RawRecord(title=paper.title, abstract=paper.abstract, listing=listing,
                        id=paper.id if first else None, authors=paper.authors if first else [],
                        date=paper.date if first else None, url=paper.url if first else None,
                        arxiv_id=paper.arxiv_id if first else None)


def passes_of(mentions: list[Mention]) -> dict[str, tuple[list[Mention], list[Mention]]]:
    """Each paper's mentions in a build (mentions.jsonl): those of the per-paper pass, and
    those the corpus-level pass added (which come after them, as `propagate` gives them)."""
    found: dict[str, tuple[list[Mention], list[Mention]]] = {}
    for mention in mentions:
        passes = found.get(mention.paper)
        if passes is None:
            passes = found[mention.paper] = ([], [])
        passes[mention.rule == CORPUS_RULE].append(mention)
    return found


def related_records(old: list[Paper], new: list[Paper]) -> list[RawRecord]:
    """The records of the new papers, after those of the old papers that share a title or
    an id with one of them: every record a warning about a new record can name."""
    titles = {normalize_title(paper.title) for paper in new}
    ids = {value for paper in new for value in (paper.id, paper.arxiv_id) if value is not None}
    related = [paper for paper in old if normalize_title(paper.title) in titles
               or paper.id in ids or paper.arxiv_id in ids]
    return [record for paper in [*related, *new] for record in records_of(paper)]


def add(inputs: Iterable[Path | str], directory: Path | str = "outputs", *,
        on_paper: Callable[[], None] | None = None,
        on_corpus: Callable[[Corpus], None] | None = None, on_error: str = "fail",
        jobs: int | None = None, cluster: str | None = None) -> KnowledgeGraph:
    """Add the papers of new listings to the build in `directory`, extracting only them.

    Papers the build holds already (same normalized title) are not extracted again; they
    only gain the new listing. The mentions of the old papers come from mentions.jsonl; the
    corpus-level pass searches again only the old papers in which a name discovered in the
    new ones (or a name whose voted type changed) is written; resolution runs again over
    every mention (entity statistics are recounted), and every output is written again,
    atomically. The result is the graph a build of the old listings followed by the new
    ones gives (the run's time aside).
    """
    watch = Stopwatch()
    folder = Path(directory)
    require_build(folder, ("papers.jsonl", "mentions.jsonl", "build.json", "store"))
    run = rdf.ExtractionRun(version=__version__)
    options = read_manifest(folder)
    with watch.stage("ingest"):
        new = ingest(list(inputs), on_error=on_error)
    with watch.stage("read the build (papers.jsonl, mentions.jsonl)"):
        old_papers = read_jsonl(folder / "papers.jsonl", Paper)
        mentions = read_jsonl(folder / "mentions.jsonl", Mention)
    with collector_skipping_what_exists():
        old_mentions = passes_of(mentions)
        by_title = {normalize_title(paper.title): paper for paper in old_papers}
        fresh = [p for p in new.papers if normalize_title(p.title) not in by_title]
        if on_corpus:
            on_corpus(Corpus(papers=fresh, listings=new.listings))
        options.warnings = list(dict.fromkeys([
            *options.warnings, *new.warnings,
            *conflicts(related_records(old_papers, new.papers))]))
        # the old papers (known ones gain the new listings), then the new ones
        papers = merge((r for paper in new.papers for r in records_of(paper)), by_title)
        with watch.stage("extraction"):
            new_first_pass = extract_papers(fresh, on_paper, jobs, cluster)
        old = [(paper, *old_mentions.get(paper.key, ([], []))) for paper in old_papers]
        options.skipped += [describe_skipped(err) for err in new.skipped]
        built = finish(papers, propagate_added(old, new_first_pass), folder, options, run,
                       watch, jobs)
    built.added, built.known = len(fresh), len(new.papers) - len(fresh)
    return built


@contextmanager
def collector_skipping_what_exists() -> Iterator[None]:
    """Python's cycle collector leaves the objects alive on entry alone until exit
    (gc.freeze): the build's records, read once and kept to the end, are not walked again
    by each of its full passes (about 1 s each at 20,000 papers)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def require_build(folder: Path, names: Iterable[str]) -> None:
    missing = [name for name in names if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(f"{folder}: not a kg build (missing {', '.join(missing)}); "
                                "run `kg build` first")


def load(directory: Path | str = "outputs") -> KnowledgeGraph:
    """Read a build's outputs back (papers, entities, graph) without extracting again."""
    folder = Path(directory)
    require_build(folder, ("graph.json", "papers.jsonl", "mentions.jsonl", "store"))
    graph = graph_io.read_node_link(folder / "graph.json")
    analytics.prepare(graph)  # seconds at 100,000 papers, spent here rather than on a question
    entities = {}
    for node, data in graph.nodes(data=True):
        if data["kind"] == "entity":
            key = node.removeprefix("entity:")
            entities[key] = Entity(key=key, name=data["label"], type=data["type"],
                                   aliases=data.get("aliases", []),
                                   family=data.get("family") or None, papers=data["papers"])
    return KnowledgeGraph(papers=read_jsonl(folder / "papers.jsonl", Paper), entities=entities,
                          graph=graph, mentions=read_jsonl(folder / "mentions.jsonl", Mention),
                          directory=folder.resolve())
