"""Property-based tests (hypothesis), 2,000 examples each.

(a) Any string as a title, abstract or entity name gives valid IRIs and RDF that comes back
    unchanged through N-Triples (kg.rdf's writer), Turtle (Oxigraph's writer, as a build
    makes graph.ttl) and JSON-LD (made from the N-Triples lines, as a build makes
    graph.jsonld), read by rdflib and by Oxigraph.
(b) The readers of every format, given any bytes, either read records or raise InputError,
    and what they read can be written out (UTF-8, no character XML cannot hold).

Lone surrogates are not Unicode scalar values: no UTF-8 file holds one, and the readers
refuse the JSON escapes that would make one (tests/test_bad_input.py), so (a) draws strings
without them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from kg import rdf
from kg.ingest import InputError, ingest, paper_key
from kg.model import Entity, Listing, Mention, Paper, PaperEntity, entity_key
from kg.resolve import Resolution

EXAMPLES = settings(max_examples=2000, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NASTY = ["a\x00b", "line\u2028separator\u2029", 'say "hi" > \\ <x>', "two\nlines\r\n\ttab",
         '" . <x> <y> <z> .', "\ufeff\ufffe\U0001f600", "  ", "#"]
TEXT = st.one_of(st.text(), st.sampled_from(NASTY))
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`]')


def graph_of(title: str, abstract: str, name: str) -> list[rdf.Triple]:
    """Every triple kg writes for one paper that introduces one entity, with evidence."""
    paper = Paper(key=paper_key(title), id=title, title=title, abstract=abstract,
                  authors=[name], listings=[Listing(source=name, line=1, date=title)])
    key = entity_key(name)
    entity = Entity(key=key, name=name, type="Model", aliases=[title], papers=1, mentions=1)
    mention = Mention(paper=paper.key, surface=name, type="Model", role="introduced",
                      start=0, end=min(len(paper.text), 7), sentence=abstract, rule=name,
                      entity=key)
    resolution = Resolution(
        entities={key: entity}, mentions=[mention],
        paper_entities={paper.key: [PaperEntity(paper=paper.key, entity=key, name=name,
                                                aliases=[], type="Model", role="introduced",
                                                count=1)]})
    return list(rdf.triples([paper], resolution, rdf.Minter(), rdf.ExtractionRun(version=name)))


def oxigraph_term(term: URIRef | Literal) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))  # raises on an invalid IRI
    if term.language:
        return pyoxigraph.Literal(str(term), language=term.language)
    return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(
        str(term.datatype or XSD_STRING)))


def as_oxigraph(triples: list[rdf.Triple]) -> set[pyoxigraph.Triple]:
    return {pyoxigraph.Triple(*map(oxigraph_term, t)) for t in triples}


def as_rdflib(triples: list[rdf.Triple]) -> set[rdf.Triple]:
    """The triples as rdflib's parsers give them: typed literals in canonical form (kg
    writes dateTimes with 'Z', rdflib reads them back as '+00:00')."""
    def parsed(term):
        if isinstance(term, Literal) and term.datatype:
            return Literal(str(term), datatype=term.datatype)
        return term
    return {tuple(map(parsed, triple)) for triple in triples}


def read_by_oxigraph(data: bytes, fmt: pyoxigraph.RdfFormat) -> set[pyoxigraph.Triple]:
    return {quad.triple for quad in pyoxigraph.parse(data, format=fmt)}


def check_round_trip(title: str, abstract: str, name: str) -> None:
    triples = graph_of(title, abstract, name)
    for term in {t for triple in triples for t in triple if isinstance(t, URIRef)}:
        assert not IRI_FORBIDDEN.search(term), term
    expected = as_oxigraph(triples)
    ntriples = "".join(rdf.nt_line(t) for t in triples).encode("utf-8")
    assert ntriples.count(b"\n") == len(triples)  # one line per triple, whatever the text
    assert read_by_oxigraph(ntriples, pyoxigraph.RdfFormat.N_TRIPLES) == expected
    assert set(rdflib.Graph().parse(data=ntriples, format="nt")) == as_rdflib(triples)
    # graph.ttl is written as a build writes it: Oxigraph parses graph.nt and writes Turtle
    turtle = rdf.turtle(pyoxigraph.parse(ntriples, format=pyoxigraph.RdfFormat.N_TRIPLES))
    assert read_by_oxigraph(turtle, pyoxigraph.RdfFormat.TURTLE) == expected
    assert set(rdflib.Graph().parse(data=turtle, format="turtle")) == as_rdflib(triples)
    # graph.jsonld is written from graph.nt's lines as they are
    lines = io.StringIO(ntriples.decode("utf-8"), newline="\n")
    jsonld = "".join(rdf.jsonld_document(lines, rdf.jsonld_context(rdf.DEFAULT_BASE)))
    assert read_by_oxigraph(jsonld.encode("utf-8"), pyoxigraph.RdfFormat.JSON_LD) == expected


@given(title=TEXT, abstract=TEXT, name=TEXT)
@example(title='EvilNet" . <x> <y> <z> .', abstract="a\x00b\u2028c", name='>"\\\n')
@example(title="\n", abstract="\\u0022", name="")
@example(title="x" * 100_000, abstract="é" * 50_000, name="名前" * 1000)
@EXAMPLES
def test_any_text_gives_valid_iris_and_round_trips(title: str, abstract: str, name: str):
    check_round_trip(title, abstract, name)


def test_a_title_cannot_inject_triples():
    """The quote, the dot and the IRIs stay inside the literal: exactly the triples meant."""
    title = 'T" . <http://x/s> <http://x/p> <http://x/o> .\n<http://x/a> <http://x/b> "c'
    triples = graph_of(title, "An abstract.", "EvilNet")
    ntriples = "".join(rdf.nt_line(t) for t in triples).encode("utf-8")
    parsed = rdflib.Graph().parse(data=ntriples, format="nt")
    assert len(parsed) == len(triples)
    assert not any(str(term).startswith("http://x/") for triple in parsed for term in triple)
    titles = list(parsed.objects(predicate=URIRef("http://purl.org/dc/terms/title")))
    assert titles == [Literal(title)]


# ---- (b) the readers on any bytes -------------------------------------------------------

JSON_VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30),
                       st.sampled_from([1.5, {"name": "x"}, [None, 1, "a"], ""]),
                       st.lists(st.text(max_size=8), max_size=3))
FIELDS = ["id", "title", "abstract", "authors", "date", "url", "arxiv_id"]
RECORD = st.dictionaries(st.sampled_from(FIELDS), JSON_VALUE, max_size=7)
FRAGMENT = {
    "daily": ["Daily Papers", "new", "Aug 12", "Sept 3, 2024", "", "\n", "A Title",
              "We propose X.", "\r\n", "\x0c"],
    "jsonl": ['{"title": "T", "abstract": "A"}', '"\\ud800"', '"\\u0000"', "{", "}", "[",
              '{"title": "T", "abstract": "\\udc00"}', "1" * 5000, "[" * 5000, "\n"],
    "csv": ["id,title,abstract", "title,abstract", '"', '""', ",", "\n", "\r\n", "T,A"],
    "atom": ['<?xml version="1.0"?>', '<?xml version="1.0" encoding="latin-1"?>',
             '<?xml version="1.0" encoding="UTF-16"?>', '<?xml version="1.0" encoding="x"?>',
             '<?xml version="1.0" encoding="rot13"?>', '<?xml version="1.0" encoding="zlib"?>',
             '<?xml version="1.0" encoding="undefined"?>', '<?xml version="1.0" encoding="idna"?>',
             '<feed xmlns="http://www.w3.org/2005/Atom">', "</feed>", "<entry>", "</entry>",
             "<title>", "</title>", "<summary>", "</summary>", "<id>", "</id>",
             "<author><name>", "</name></author>", '<!DOCTYPE feed [<!ENTITY e "x">]>', "&e;",
             "&amp;", "&#0;", "&#xD800;", "<![CDATA[", "]]>", "<rss>", "\n", "A text"],
}
SUFFIX = {"daily": ".txt", "jsonl": ".jsonl", "csv": ".csv", "atom": ".atom"}


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def listing_bytes(kind: str) -> st.SearchStrategy[bytes]:
    """Bytes near the format (its fragments, records of any field types) and any bytes."""
    pieces = st.lists(st.one_of(st.sampled_from(FRAGMENT[kind]), st.text(max_size=20)),
                      max_size=30).map("\n".join)
    near = [pieces]
    if kind == "jsonl":
        near.append(st.lists(RECORD.map(json.dumps), max_size=5).map("\n".join))
    if kind == "csv":
        row = st.lists(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), max_size=4)
        near.append(st.lists(row, max_size=5).map(csv_text))
    texts = st.one_of(*near)
    encodings = st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16"])
    encoded = st.tuples(texts, encodings).map(lambda t: t[0].encode(t[1], errors="replace"))
    return st.one_of(encoded, st.binary(max_size=200))


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_or_refuse(path: Path) -> None:
    """Records or InputError; records are writable as kg writes them. The "skip" mode reads
    every record ("fail" runs the same code and raises the first problem)."""
    try:
        corpus = ingest([path], on_error="skip")
    except InputError as err:
        assert str(err).startswith(str(path)) and "\n" not in str(err)
        return
    for paper in corpus.papers:
        assert paper.title and paper.abstract
        paper.model_dump_json().encode("utf-8")
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", paper.text)
    for err in corpus.skipped:
        assert str(err).startswith(str(path)) and "\n" not in str(err)


@pytest.mark.parametrize("kind", sorted(SUFFIX))
@EXAMPLES
@given(data=st.data())
@example(data=None)
def test_readers_raise_nothing_but_input_error(fuzz_folder: Path, kind: str, data) -> None:
    path = fuzz_folder / f"listing{SUFFIX[kind]}"
    # data is None: the explicit example, every nasty fragment of the format at once
    path.write_bytes("\n".join(FRAGMENT[kind]).encode() if data is None
                     else data.draw(listing_bytes(kind)))
    read_or_refuse(path)
