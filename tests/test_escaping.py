"""Input text that looks like CSV formulas, N-Triples/Turtle syntax or SPARQL stays text in
papers.csv, graph.nt, graph.ttl and query answers (the HTML page: tests/test_browser.py)."""

from __future__ import annotations

import csv
import json

import pyoxigraph
import pytest
import rdflib
from rdflib import Literal, URIRef

import kg
from kg.query import query

TURTLE_TITLE = 'Quote" . <http://x/s> <http://x/p> <http://x/o> . EvilNet'
RECORDS = [
    {"id": "=1+1", "title": '=HYPERLINK("http://x/e","click") Net',
     "abstract": "We propose FormNet, a model. It beats GPT-4 on GSM8K."},
    {"id": "p2", "title": "+cmd|' /C calc'!A0 Adapters",
     "abstract": "We propose PlusNet, a method evaluated on GSM8K."},
    {"id": "p3", "title": "-2+3 Tricks for Decoding",
     "abstract": "We introduce MinusBench, a new benchmark."},
    {"id": "@SUM(A1)", "title": "@import Attention, Again",
     "abstract": "We propose AtNet, a model trained on C4."},
    {"id": "p5", "title": TURTLE_TITLE,
     "abstract": 'We propose EvilNet, a model. It says """ \\ > "x" <y> .\n<a> <b> "c" .'},
]
TITLE = URIRef("http://purl.org/dc/terms/title")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    folder = tmp_path_factory.mktemp("escaping")
    listing = folder / "hostile.jsonl"
    listing.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    return kg.build([listing], folder / "out", jobs=1)


def test_csv_cells_that_would_start_a_formula_start_with_a_quote(hostile):
    with (hostile.directory / "papers.csv").open(encoding="utf-8", newline="") as table:
        rows = list(csv.DictReader(table))
    assert [(row["key"], row["id"], row["title"]) for row in rows] == [
        (as_text(p.key), as_text(str(p.id)), as_text(p.title)) for p in hostile.papers]
    assert [p.title for p in hostile.papers] == [r["title"] for r in RECORDS]
    assert [row["title"][:2] for row in rows] == ["'=", "'+", "'-", "'@", "Qu"]
    assert [row["id"] for row in rows] == ["'=1+1", "p2", "p3", "'@SUM(A1)", "p5"]


def as_text(value: str) -> str:
    """What a spreadsheet must be given to show `value` as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@pytest.mark.parametrize(("name", "fmt"), [("graph.nt", "nt"), ("graph.ttl", "turtle")])
def test_rdf_files_hold_the_titles_as_literals_and_no_injected_triple(hostile, name, fmt):
    path = hostile.directory / name
    graph = rdflib.Graph().parse(path, format=fmt)
    assert sorted(graph.objects(predicate=TITLE)) == sorted(
        [Literal(r["title"]) for r in RECORDS] + [Literal(
            "kg: a knowledge graph of machine-learning research")])  # the VoID description
    assert not [t for triple in graph for t in triple if str(t).startswith("http://x/")]
    assert len(graph) == hostile.summary.triples
    oxigraph_format = {"nt": pyoxigraph.RdfFormat.N_TRIPLES, "turtle": pyoxigraph.RdfFormat.TURTLE}
    assert len(list(pyoxigraph.parse(path=str(path), format=oxigraph_format[fmt]))) == len(graph)
    abstracts = {str(o) for o in graph.objects(predicate=URIRef(
        "http://purl.org/dc/terms/abstract"))}
    assert RECORDS[4]["abstract"].replace("\n", " ") in abstracts  # the reader folds newlines


def test_query_parameters_match_the_text_literally(hostile):
    """The quote, dot and IRIs of the parameter are part of the searched text: the paper whose
    title holds them is found, and nothing else happens."""
    rows = query(hostile.directory, "introduced-by-paper",
                 {"paper": 'quote" . <http://x/s>'}).values()
    assert rows == [('quote" . <http://x/s>', TURTLE_TITLE, "EvilNet", "Model")]
    assert query(hostile.directory, "introduced-by-paper",
                 {"paper": '" } ; DROP ALL ; #'}).values() == []
    assert len(hostile.store) == hostile.summary.triples
