"""The `kg` command: a thin layer over the Python API (kg.api) with progress and tables.

    kg build [INPUT...] [-o DIR]     every output of a build (default: the bundled sample)
    kg extract INPUT -o OUT.jsonl    entities per paper, in the gold format
    kg eval --gold GOLD [INPUT]      precision, recall, F1 (untyped, typed), role accuracy
    kg schemas [DIR]                 JSON Schemas generated from the data model

Input problems print one line (file:line: cause) and exit with status 2.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg import api
from kg.evaluate import Scores, read_gold, score
from kg.ingest import Corpus, InputError, ingest
from kg.model import write_json_schemas
from kg.publish import gold_format, write_jsonl

app = typer.Typer(help="Build and use a knowledge graph of ML papers.", no_args_is_help=True,
                  add_completion=False)
console = Console(stderr=True)
out = Console()

InputsArg = Annotated[list[Path] | None, typer.Argument(
    help="Listing files or folders (Daily Papers .txt, .jsonl, .csv, arXiv Atom). "
         "Default: the bundled sample.", show_default=False)]


JobsOption = Annotated[int | None, typer.Option(
    "--jobs", "-j", help="Extraction processes (default: every core).", show_default=False)]


def fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def input_errors() -> Iterator[None]:
    """Turn input problems into one clear line and exit status 2."""
    try:
        yield
    except InputError as err:
        raise fail(str(err)) from None


@contextmanager
def paper_progress(description: str) -> Iterator[tuple[Callable[[Corpus], None],
                                                       Callable[[], None]]]:
    """A rich progress bar; yields (on_corpus, on_paper) callbacks for the API."""
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=console, transient=True)
    task = progress.add_task(description, total=None)
    with progress:
        yield (lambda corpus: progress.update(task, total=len(corpus.papers)),
               lambda: progress.advance(task))


def summary_table(built: api.KnowledgeGraph) -> Table:
    summary = built.summary
    table = Table(title=f"kg build -> {built.directory}", show_header=False)
    rows = [("listings read", summary.listings), ("papers", summary.papers)]
    rows += [(f"entities: {t}", n) for t, n in sorted(summary.entities.items())]
    rows += [("paper-entity edges", summary.paper_entity_edges),
             ("paper-paper edges", summary.paper_paper_edges),
             ("RDF triples", summary.triples), ("skipped records", summary.skipped),
             ("seconds", f"{summary.seconds:.1f}")]
    for name, value in rows:
        table.add_row(name, str(value))
    return table


@app.command()
def build(
    inputs: InputsArg = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder.")] = Path(
        "outputs"),
    html_max_nodes: Annotated[int, typer.Option(help="Node cap of graph.html.")] = 500,
    base_iri: Annotated[str, typer.Option(help="Base of the minted IRIs.")] = api.rdf.DEFAULT_BASE,
    on_error: Annotated[str, typer.Option(help="fail | skip: what to do with bad input files.")]
    = "fail",
    jobs: JobsOption = None,
) -> None:
    """Build the knowledge graph and write every output file into the output folder."""
    with input_errors(), paper_progress("extracting") as (on_corpus, on_paper):
        built = api.build(inputs, output, on_paper=on_paper, on_corpus=on_corpus,
                          html_max_nodes=html_max_nodes, base_iri=base_iri, on_error=on_error,
                          jobs=jobs)
    out.print(summary_table(built))


@app.command()
def extract(
    input: Annotated[Path, typer.Argument(help="A listing file or folder.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write JSON Lines.")],
    jobs: JobsOption = None,
) -> None:
    """Write the entities of each input paper, one JSON line per paper (gold format)."""
    with input_errors():
        corpus = ingest([input])
        with paper_progress("extracting") as (on_corpus, on_paper):
            on_corpus(corpus)
            resolution = api.extract_corpus(corpus, on_paper, jobs=jobs or api.default_jobs())
    output.parent.mkdir(parents=True, exist_ok=True)
    write_jsonl(gold_format(corpus.papers, resolution), output)
    console.print(f"{len(corpus.papers)} papers, {len(resolution.mentions)} mentions -> {output}")


def scores_table(scores: Scores) -> Table:
    table = Table(title=f"kg eval ({scores.papers} papers)")
    for column in ("", "precision", "recall", "F1", "tp", "fp", "fn"):
        table.add_column(column, justify="right" if column else "left")
    rows = [("untyped", scores.untyped), ("typed", scores.typed)]
    rows += [(f"  {name}", counts) for name, counts in sorted(scores.per_type.items())]
    for name, counts in rows:
        table.add_row(name, f"{counts.precision:.3f}", f"{counts.recall:.3f}", f"{counts.f1:.3f}",
                      str(counts.tp), str(counts.fp), str(counts.fn))
    table.caption = f"role accuracy {scores.role_accuracy:.3f} ({scores.role_total} typed matches)"
    return table


@app.command(name="eval")
def evaluate(
    gold: Annotated[Path, typer.Option("--gold", help="Gold JSON Lines file.")],
    input: Annotated[Path | None, typer.Argument(
        help="Predictions (.jsonl in the gold format) or listings to extract first. "
             "Default: the bundled sample.")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="List misses and false positives.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score extraction against a gold file (the scoring rules of the gold guidelines)."""
    with input_errors():
        gold_papers = read_gold(gold)
        predicted = predictions_for(input)
    scores = score(gold_papers, predicted)
    if as_json:
        out.print_json(json.dumps(scores.as_dict()))
    else:
        out.print(scores_table(scores))
    if errors:
        print_errors(scores)


def print_errors(scores: Scores) -> None:
    for paper in scores.errors:
        out.print(f"[bold]{paper.title}[/]", highlight=False)
        for label, items in (("missed", paper.missed), ("false positive", paper.false_positives),
                             ("wrong type", paper.wrong_type), ("wrong role", paper.wrong_role)):
            for item in items:
                out.print(f"  {label}: {item}", highlight=False)


def predictions_for(input: Path | None) -> list:
    """A gold-format file is read as predictions; anything else is extracted first."""
    if input is not None and input.suffix == ".jsonl" and _is_gold_format(input):
        return read_gold(input)
    corpus = ingest([input or api.sample_dir()])
    with paper_progress("extracting") as (on_corpus, on_paper):
        on_corpus(corpus)
        resolution = api.extract_corpus(corpus, on_paper)
    return list(gold_format(corpus.papers, resolution))


def _is_gold_format(path: Path) -> bool:
    with path.open(encoding="utf-8", errors="replace") as lines:
        first = next((line for line in lines if line.strip()), "")
    try:
        return "entities" in json.loads(first)
    except json.JSONDecodeError:
        return False


@app.command()
def schemas(
    directory: Annotated[Path, typer.Argument(help="Where to write the schemas.")] = Path(
        "schemas"),
) -> None:
    """Generate the JSON Schemas of the data model (Paper, Mention, Entity, ...)."""
    for path in write_json_schemas(directory):
        out.print(str(path))


if __name__ == "__main__":
    app()
