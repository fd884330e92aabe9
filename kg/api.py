"""The Python API: build a knowledge graph from listings, or load a built one.

    >>> import kg
    >>> built = kg.build(["my-listings/"], "outputs")      # doctest: +SKIP
    >>> graph = kg.load("outputs").graph                      # doctest: +SKIP

`build` runs every stage (ingest -> extract -> resolve -> graph -> publish); `load` reads a
build's outputs back without extracting again. The `kg` command is a thin layer over these.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path

import networkx as nx
import pyoxigraph

from kg import analytics, rdf
from kg import graph as graph_io
from kg.extract import build_pipeline, extract
from kg.extract.corpus import discovered_names, propagate
from kg.ingest import Corpus, describe_skipped, ingest
from kg.model import BuildSummary, Entity, Mention, Paper
from kg.publish import publish, read_jsonl, summarize
from kg.resolve import Resolution, resolve
from kg.version import __version__


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
    mentions: list[Mention] = field(default_factory=list)
    directory: Path | None = None
    summary: BuildSummary | None = None
    skipped: list[str] = field(default_factory=list)  # "record skipped: file:line: cause"
    warnings: list[str] = field(default_factory=list)  # duplicates whose content differs

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
    first_pass = list(extract(corpus.papers, nlp, jobs=jobs, on_paper=on_paper))
    return resolve(propagate(first_pass, discovered_names(first_pass)))


def build(inputs: Iterable[Path | str] | None = None, output: Path | str = "outputs", *,
          on_paper: Callable[[], None] | None = None, on_corpus: Callable[[Corpus], None]
          | None = None, html_max_nodes: int = 500, base_iri: str = rdf.DEFAULT_BASE,
          on_error: str = "fail", jobs: int | None = None,
          evidence: bool = True) -> KnowledgeGraph:
    """Build the knowledge graph of `inputs` (default: the bundled sample) into `output`."""
    started = time.perf_counter()
    run = rdf.ExtractionRun(version=__version__)
    corpus = ingest(list(inputs) if inputs else [sample_dir()], on_error=on_error)
    if on_corpus:
        on_corpus(corpus)
    resolution = extract_corpus(corpus, on_paper, jobs=jobs or default_jobs())
    run.ended = datetime.now(UTC)
    graph = graph_io.build_graph(corpus.papers, resolution)
    skipped = [describe_skipped(err) for err in corpus.skipped]
    summary = summarize(corpus.listings, corpus.papers, resolution, graph, len(skipped),
                        time.perf_counter() - started)
    summary = publish(corpus.papers, resolution, graph, Path(output), summary, skipped,
                      html_max_nodes=html_max_nodes, base_iri=base_iri, evidence=evidence,
                      run=run, warnings=corpus.warnings)
    summary = summary.model_copy(update={"seconds": time.perf_counter() - started})
    return KnowledgeGraph(papers=corpus.papers, entities=resolution.entities, graph=graph,
                          mentions=resolution.mentions, directory=Path(output).resolve(),
                          summary=summary, skipped=skipped, warnings=corpus.warnings)


def load(directory: Path | str = "outputs") -> KnowledgeGraph:
    """Read a build's outputs back (papers, entities, graph) without extracting again."""
    folder = Path(directory)
    missing = [n for n in ("graph.json", "papers.jsonl", "mentions.jsonl", "store")
               if not (folder / n).exists()]
    if missing:
        raise FileNotFoundError(f"{folder}: not a kg build (missing {', '.join(missing)}); "
                                "run `kg build` first")
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
