"""RDF: papers and resolved entities -> triples, files and an Oxigraph store.

In: `Paper`s, a `Resolution` and the mentions' evidence. Out: graph.nt (streamed: the triples
are made once, here), then from graph.nt an Oxigraph store (bulk load, kg.bulk_load),
graph.ttl (parsed and written by Oxigraph) and graph.jsonld (written here from graph.nt's
lines): the `writers` tasks, which kg.publish runs side by side with its other writers.
The vocabulary is schemas/kg.ttl (kg.vocab.KG) on top of schema.org, Dublin Core, SKOS,
FaBiO, PROV-O, Web Annotation and VoID:

    paper    a schema:ScholarlyArticle; dcterms:title, dcterms:abstract, dcterms:issued,
             dcterms:creator, fabio:hasArXivID, schema:url, kg:listing, kg:listingDate;
             schema:mentions an entity, and kg:introduces or kg:uses it
    entity   a skos:Concept and kg:Model | kg:Dataset | kg:Benchmark | kg:Method, in the
             skos:ConceptScheme of its type; skos:prefLabel, skos:altLabel, skos:broader
             (its family), kg:paperCount, kg:mentionCount
    mention  (evidence, unless --no-evidence) a prov:Entity and oa:Annotation: oa:hasBody the
             entity, oa:hasTarget the paper's text with an oa:TextQuoteSelector and an
             oa:TextPositionSelector (offsets into title + blank line + abstract),
             prov:wasDerivedFrom the paper, prov:wasGeneratedBy the rule's activity of the
             extraction run (a prov:Activity with its time and kg's version)
    dataset  a void:Dataset describing the whole graph (triples, vocabularies, licence)

IRIs are minted from canonical keys under a base IRI (`--base-iri`), so the same entity
gets the same IRI in every build.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg import bulk_load
from kg.model import Mention, MentionRecord, Paper, records_of
from kg.parallel import Task, die_with_parent
from kg.resolve import Resolution
from kg.vocab import DCTERMS, FABIO, KG, OA, PREFIXES, PROV, RDF, SCHEMA, SKOS, VOID, XSD

DEFAULT_BASE = "https://w3id.org/kg/id/"
NTRIPLES_TASK, STORE_TASK = "graph.nt", "store (Oxigraph bulk load)"
DATA_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
ROLE_PROPERTY = {"introduced": KG.introduces, "used": KG.uses}
TYPE_CLASS = {"Model": KG.Model, "Dataset": KG.Dataset, "Benchmark": KG.Benchmark,
              "Method": KG.Method}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CONTEXT_CHARS = 32
IRI_SAFE = "-._~+!$&'()*,;=:@"

Triple = tuple[Node, Node, Node]
OxigraphTriple = pyoxigraph.Triple | pyoxigraph.Quad  # a Quad of the default graph


class Minter:
    """Stable, readable IRIs from canonical keys: the same key always gives the same IRI.

    Any key is valid: characters outside the IRI-safe set are percent-encoded (UTF-8).

    >>> Minter("https://example.org/kg").entity("llama-2-7b")
    rdflib.term.URIRef('https://example.org/kg/entity/llama-2-7b')
    >>> Minter().entity('a b/"c"')
    rdflib.term.URIRef('https://w3id.org/kg/id/entity/a%20b%2F%22c%22')
    """

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = base if base.endswith(("/", "#")) else base + "/"
        self._entities: dict[str, URIRef] = {}  # each entity's IRI is minted at every link

    def _mint(self, kind: str, *parts: str) -> URIRef:
        return URIRef(self.base + kind + "/" + "/".join(quote(p, safe=IRI_SAFE) for p in parts))

    def paper(self, key: str) -> URIRef:
        return self._mint("paper", key)

    def entity(self, key: str) -> URIRef:
        if (iri := self._entities.get(key)) is None:
            iri = self._entities[key] = self._mint("entity", key)
        return iri

    def scheme(self, type_name: str) -> URIRef:
        return self._mint("scheme", type_name.lower())

    def mention(self, mention: Mention | MentionRecord) -> URIRef:
        return self._mint("mention", mention.paper, f"{mention.start}-{mention.end}")

    def run(self, run_id: str, rule: str | None = None) -> URIRef:
        return self._mint("run", run_id, *([rule] if rule else []))

    def dataset(self) -> URIRef:
        return URIRef(self.base + "dataset")


@dataclass
class ExtractionRun:
    """When and with which kg version the graph was extracted (the evidence's provenance)."""

    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    ended: datetime | None = None
    version: str = ""

    @property
    def id(self) -> str:
        return self.started.strftime("%Y%m%dT%H%M%SZ")


def date_literal(value: datetime) -> Literal:
    """UTC time in the canonical form ('Z'), the one Oxigraph stores and writes back."""
    return Literal(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime,
                   normalize=False)


def paper_triples(paper: Paper, iri: URIRef) -> Iterator[Triple]:
    yield iri, RDF.type, SCHEMA.ScholarlyArticle
    yield iri, DCTERMS.title, Literal(paper.title)
    yield iri, DCTERMS.abstract, Literal(paper.abstract)
    yield iri, DCTERMS.identifier, Literal(str(paper.id))
    if paper.date and ISO_DATE.match(paper.date):
        yield iri, DCTERMS.issued, Literal(paper.date, datatype=XSD.date)
    for author in paper.authors:
        yield iri, DCTERMS.creator, Literal(author)
    if paper.arxiv_id:
        yield iri, FABIO.hasArXivID, Literal(paper.arxiv_id)
    if paper.url and re.match(r"^https?://[^\s<>\"{}|\\^`]+$", paper.url):
        yield iri, SCHEMA.url, URIRef(paper.url)
    for listing in dict.fromkeys(f"{x.source}:{x.line}" for x in paper.listings):
        yield iri, KG.listing, Literal(listing)
    for date in dict.fromkeys(x.date for x in paper.listings if x.date):
        yield iri, KG.listingDate, Literal(date)


def entity_triples(resolution: Resolution, minter: Minter) -> Iterator[Triple]:
    for type_name in sorted({e.type.value for e in resolution.entities.values()}):
        scheme = minter.scheme(type_name)
        yield scheme, RDF.type, SKOS.ConceptScheme
        yield scheme, SKOS.prefLabel, Literal(f"{type_name}s", lang="en")
    for entity in resolution.entities.values():
        iri = minter.entity(entity.key)
        yield iri, RDF.type, SKOS.Concept
        yield iri, RDF.type, TYPE_CLASS[entity.type.value]
        yield iri, SKOS.prefLabel, Literal(entity.name)
        yield iri, SKOS.inScheme, minter.scheme(entity.type.value)
        yield iri, KG.paperCount, Literal(entity.papers)
        yield iri, KG.mentionCount, Literal(entity.mentions)
        for alias in entity.aliases:
            yield iri, SKOS.altLabel, Literal(alias)
        if entity.family:
            yield iri, SKOS.broader, minter.entity(entity.family)


def run_triples(run: ExtractionRun, rules: Iterable[str], minter: Minter) -> Iterator[Triple]:
    iri = minter.run(run.id)
    yield iri, RDF.type, PROV.Activity
    yield iri, RDF.type, KG.ExtractionRun
    yield iri, PROV.startedAtTime, date_literal(run.started)
    if run.ended:
        yield iri, PROV.endedAtTime, date_literal(run.ended)
    yield iri, KG.softwareVersion, Literal(run.version)
    for rule in sorted(rules):
        step = minter.run(run.id, rule)
        yield step, RDF.type, PROV.Activity
        yield step, DCTERMS.isPartOf, iri
        yield step, KG.rule, Literal(rule)


def evidence_triples(mention: Mention | MentionRecord, paper: Paper, run: ExtractionRun,
                     minter: Minter) -> Iterator[Triple]:
    iri, source = minter.mention(mention), minter.paper(paper.key)
    target, quote_selector, position = (URIRef(f"{iri}#{part}")
                                        for part in ("target", "quote", "position"))
    text = paper.text
    yield iri, RDF.type, PROV.Entity
    yield iri, RDF.type, OA.Annotation
    yield iri, RDF.type, KG.Mention
    yield iri, OA.hasBody, minter.entity(mention.entity or "")
    yield iri, OA.hasTarget, target
    yield iri, PROV.wasDerivedFrom, source
    yield iri, PROV.wasGeneratedBy, minter.run(run.id, mention.rule)
    yield iri, KG.rule, Literal(mention.rule)
    yield iri, KG.sentence, Literal(mention.sentence)
    yield target, RDF.type, OA.SpecificResource
    yield target, OA.hasSource, source
    yield target, OA.hasSelector, quote_selector
    yield target, OA.hasSelector, position
    yield quote_selector, RDF.type, OA.TextQuoteSelector
    yield quote_selector, OA.exact, Literal(mention.surface)
    yield quote_selector, OA.prefix, Literal(text[max(0, mention.start - CONTEXT_CHARS):
                                                  mention.start])
    yield quote_selector, OA.suffix, Literal(text[mention.end: mention.end + CONTEXT_CHARS])
    yield position, RDF.type, OA.TextPositionSelector
    # xsd:integer, not nonNegativeInteger: Oxigraph stores integer subtypes as xsd:integer
    yield position, OA.start, Literal(mention.start, datatype=XSD.integer)
    yield position, OA.end, Literal(mention.end, datatype=XSD.integer)


def triples(papers: Iterable[Paper], resolution: Resolution, minter: Minter | None = None,
            run: ExtractionRun | None = None, evidence: bool = True) -> Iterator[Triple]:
    """Every triple of the graph but the VoID description, streamed, each exactly once."""
    minter, run = minter or Minter(), run or ExtractionRun()
    yield from entity_triples(resolution, minter)
    mentions_of: dict[str, list[Mention | MentionRecord]] = {}
    if evidence:
        for mention in records_of(resolution.mentions):  # read only: no model made
            mentions_of.setdefault(mention.paper, []).append(mention)
        yield from run_triples(run, {m.rule for m in records_of(resolution.mentions)}, minter)
    mentions = SCHEMA.mentions  # looked up once: a namespace's attribute mints a new IRI
    for paper in papers:
        iri = minter.paper(paper.key)
        yield from paper_triples(paper, iri)
        for item in resolution.paper_entities.get(paper.key, []):
            target = minter.entity(item.entity)
            yield iri, mentions, target
            yield iri, ROLE_PROPERTY[item.role.value], target
        for mention in mentions_of.get(paper.key, []):
            yield from evidence_triples(mention, paper, run, minter)


def void_triples(minter: Minter, triple_count: int, modified: datetime) -> list[Triple]:
    """The VoID description of the graph; `triple_count` excludes these triples."""
    iri = minter.dataset()
    description = [
        (iri, RDF.type, VOID.Dataset),
        (iri, DCTERMS.title, Literal("kg: a knowledge graph of machine-learning research")),
        (iri, DCTERMS.license, DATA_LICENSE),
        (iri, DCTERMS.rights, Literal("Titles and abstracts remain under their authors' "
                                      "licences; the extracted graph is CC BY 4.0.")),
        (iri, DCTERMS.modified, date_literal(modified)),
        (iri, VOID.uriSpace, Literal(minter.base)),
    ]
    description += [(iri, VOID.vocabulary, URIRef(PREFIXES[p]))
                    for p in ("kg", "schema", "dcterms", "skos", "fabio", "prov", "oa")]
    total = triple_count + len(description) + 1
    return [*description, (iri, VOID.triples, Literal(total))]


_NT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\b": "\\b", "\f": "\\f"}
_NT_SPECIAL = re.compile(r'[\\"\x00-\x1f\x7f]')


def nt_term(term: Node) -> str:
    r"""A term in N-Triples syntax, escaped so that any string round-trips.

    >>> print(nt_term(Literal('say "hi"' + chr(10) + 'now')))
    "say \"hi\"\nnow"
    """
    if type(term) is URIRef:  # the common case first: most terms are kg's own IRIs
        return f"<{term}>"
    if isinstance(term, Literal):
        text = _NT_SPECIAL.sub(
            lambda m: _NT_ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), str(term))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype and term.datatype != XSD.string:
            return f'"{text}"^^<{term.datatype}>'
        return f'"{text}"'
    if isinstance(term, BNode):
        raise ValueError("kg mints IRIs for every node; a blank node slipped in")
    return f"<{term}>"


def nt_line(triple: Triple) -> str:
    subject, predicate, thing = triple
    if type(subject) is URIRef and type(predicate) is URIRef:  # always, as kg mints them
        return f"<{subject}> <{predicate}> {nt_term(thing)} .\n"
    return f"{nt_term(subject)} {nt_term(predicate)} {nt_term(thing)} .\n"


def write_ntriples(all_triples: Iterable[Triple], path: Path) -> int:
    """Stream triples to N-Triples; return how many lines were written."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for triple in all_triples:
            out.write(nt_line(triple))
            count += 1
    return count


def write_graph_nt(papers: list[Paper], resolution: Resolution, path: Path,
                   minter: Minter, run: ExtractionRun, evidence: bool = True) -> int:
    """graph.nt: every triple, then the VoID description counting them; return the lines."""
    count = write_ntriples(triples(papers, resolution, minter, run, evidence), path)
    description = void_triples(minter, count, run.ended or run.started)
    with path.open("a", encoding="utf-8") as out:
        out.writelines(map(nt_line, description))
    return count + len(description)


def read_ntriples(path: Path) -> Iterator[pyoxigraph.Quad]:
    """The triples of an N-Triples file (in the default graph), parsed by Oxigraph, in the
    file's order."""
    return pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.N_TRIPLES)


def load_store(ntriples: Path, store_dir: Path) -> int:
    """Bulk-load N-Triples into a new on-disk Oxigraph store; return its triple count.

    The loading runs in a fresh interpreter (kg/bulk_load.py), whose memory is its own."""
    command = [sys.executable, "-P", bulk_load.__file__, str(ntriples), str(store_dir)]
    loader = subprocess.run(command, capture_output=True, text=True, check=False,
                            preexec_fn=functools.partial(die_with_parent, os.getpid()))
    if loader.returncode != 0:
        cause = (loader.stderr.strip().splitlines() or [f"exit status {loader.returncode}"])
        raise OSError(f"{store_dir}: bulk load of {ntriples.name} failed: {cause[-1]}")
    return int(loader.stdout)


def open_store(store_dir: Path, read_only: bool = True) -> pyoxigraph.Store:
    if read_only:
        return pyoxigraph.Store.read_only(str(store_dir))
    return pyoxigraph.Store(str(store_dir))


def turtle(triples: Iterable[OxigraphTriple], path: Path | None = None,
           prefixes: dict[str, str] = PREFIXES) -> bytes | None:
    """Turtle, written by Oxigraph: into `path`, or returned when there is none. A
    subject's triples in a row share one block."""
    return pyoxigraph.serialize(triples, str(path) if path else None,
                                pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes)


def jsonld_context(base_iri: str) -> dict[str, str]:
    """The JSON-LD context of graph.jsonld: the prefixes, and `kgid` for the minted IRIs
    (schemas/context.jsonld is this context for the default base IRI)."""
    return {**PREFIXES, "kgid": base_iri}


def write_context(directory: Path, base_iri: str = DEFAULT_BASE) -> Path:
    """schemas/context.jsonld: the context graph.jsonld uses (for the default base IRI)."""
    path = directory / "context.jsonld"
    path.write_text(json.dumps({"@context": jsonld_context(base_iri)}, indent=1) + "\n",
                    encoding="utf-8")
    return path


class Compactor:
    """IRIs to prefixed names (CURIEs) with a context's prefixes, longest namespace first.

    >>> Compactor({"ex": "http://ex.org/", "exa": "http://ex.org/a/"})("http://ex.org/a/b")
    'exa:b'
    """

    def __init__(self, context: dict[str, str]):
        prefixes = sorted(context.items(), key=lambda item: -len(item[1]))
        self.prefix_of = {namespace: prefix for prefix, namespace in reversed(prefixes)}
        # one regex tries the namespaces in that order (and the next one when the local
        # part would be empty or start with ':'), in C rather than a Python loop
        self.pattern = re.compile("(" + "|".join(re.escape(n) for _, n in prefixes)
                                  + r")(?!:)(.+)\Z", re.DOTALL)

    def __call__(self, iri: str) -> str:
        match = self.pattern.match(iri)
        return f"{self.prefix_of[match.group(1)]}:{match.group(2)}" if match else iri


def jsonld_nodes(lines: Iterable[str], context: dict[str, str]) -> Iterator[str]:
    """graph.nt's lines -> the JSON text of one node object per run of lines of a subject.

    The lines are those `nt_line` writes, so their text is taken as it is: one triple a
    line, subject and predicate IRIs, IRIs holding no character that JSON escapes (kg mints
    them percent-encoded), and literals quoted and escaped as JSON strings are (`nt_term`
    uses no escape JSON lacks). Parsing them into RDF terms first takes 2.5 times as long.
    """
    compact = functools.lru_cache(maxsize=1 << 16)(Compactor(context))  # IRIs repeat
    rdf_type = str(RDF.type)
    subject, node = None, {}
    for line in lines:
        end_subject = line.index("> ", 1)
        end_predicate = line.index("> ", end_subject + 3)
        predicate, thing = line[end_subject + 3:end_predicate], line[end_predicate + 2:-3]
        if line[1:end_subject] != subject:
            if subject is not None:
                yield node_object(compact(subject), node)
            subject, node = line[1:end_subject], {}
        if predicate == rdf_type:
            node.setdefault("@type", []).append(f'"{compact(thing[1:-1])}"')
        else:
            node.setdefault(compact(predicate), []).append(jsonld_value(thing, compact))
    if subject is not None:
        yield node_object(compact(subject), node)


def jsonld_value(term: str, compact: Callable[[str], str]) -> str:
    """An N-Triples object as a JSON-LD value (JSON text)."""
    if term[0] == "<":
        return f'{{"@id": "{compact(term[1:-1])}"}}'
    end = term.rindex('"') + 1
    text, tail = term[:end], term[end:]
    if not tail:
        return text
    if tail[0] == "@":
        return f'{{"@value": {text}, "@language": "{tail[1:]}"}}'
    return f'{{"@value": {text}, "@type": "{compact(tail[3:-1])}"}}'


def node_object(node_id: str, values: dict[str, list[str]]) -> str:
    return "".join([f'{{"@id": "{node_id}"',
                     *(f', "{key}": [{", ".join(items)}]' for key, items in values.items()),
                     "}"])


def jsonld_document(lines: Iterable[str], context: dict[str, str]) -> Iterator[str]:
    """Compact JSON-LD (prefixed names, @context) of graph.nt's lines, piece by piece."""
    yield '{"@context": ' + json.dumps(context, indent=1) + ',\n "@graph": [\n'
    for number, node in enumerate(jsonld_nodes(lines, context)):
        yield (",\n" if number else "") + node
    yield "\n]}\n"


def write_jsonld(ntriples: Path, path: Path, context: dict[str, str]) -> None:
    """graph.jsonld from graph.nt, streamed node by node."""
    with (ntriples.open(encoding="utf-8", newline="\n") as lines,
          path.open("w", encoding="utf-8") as out):
        out.writelines(jsonld_document(lines, context))


def writers(papers: list[Paper], resolution: Resolution, directory: Path,
            base_iri: str = DEFAULT_BASE, evidence: bool = True,
            run: ExtractionRun | None = None) -> list[Task]:
    """The tasks that write graph.nt, then from it store/, graph.jsonld and graph.ttl into
    `directory`. The store's task returns the triple count."""
    minter, run = Minter(base_iri), run or ExtractionRun()
    ntriples = directory / "graph.nt"
    return [
        Task(NTRIPLES_TASK, functools.partial(write_graph_nt, papers, resolution, ntriples,
                                              minter, run, evidence)),
        Task(STORE_TASK, functools.partial(load_store, ntriples, directory / "store"),
             after=(NTRIPLES_TASK,)),
        Task("graph.jsonld", functools.partial(write_jsonld, ntriples, directory / "graph.jsonld",
                                               jsonld_context(minter.base)),
             after=(NTRIPLES_TASK,)),
        Task("graph.ttl", lambda: turtle(read_ntriples(ntriples), directory / "graph.ttl"),
             after=(NTRIPLES_TASK,)),
    ]
