"""RDF: papers and resolved entities -> triples, files and an Oxigraph store.

In: `Paper`s and a `Resolution`. Out: triples in the project's vocabulary (schemas/kg.ttl),
reusing schema.org, Dublin Core, SKOS and FaBiO, written as Turtle, N-Triples and JSON-LD,
and bulk-loaded into an Oxigraph store that `kg query` and `kg serve` use.

    paper   a schema:ScholarlyArticle; dcterms:title, dcterms:abstract, fabio:hasArXivID,
            schema:url, kg:listing; schema:mentions / kg:introduces / kg:uses an entity
    entity  a skos:Concept and kg:Model | kg:Dataset | kg:Benchmark | kg:Method;
            skos:prefLabel, skos:altLabel, skos:inScheme, skos:broader (its family),
            kg:paperCount
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from kg.graph import listing_label
from kg.model import Paper
from kg.resolve import Resolution

KG = Namespace("https://w3id.org/kg/ontology#")
SCHEMA = Namespace("https://schema.org/")
FABIO = Namespace("http://purl.org/spar/fabio/")
DEFAULT_BASE = "https://w3id.org/kg/id/"
PREFIXES = {"kg": KG, "schema": SCHEMA, "fabio": FABIO, "skos": SKOS, "dcterms": DCTERMS}
ROLE_PROPERTY = {"introduced": KG.introduces, "used": KG.uses}

Triple = tuple[Node, Node, Node]


class Minter:
    """Stable, readable IRIs from canonical keys: the same key always gives the same IRI."""

    def __init__(self, base: str = DEFAULT_BASE):
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def paper(self, key: str) -> URIRef:
        return URIRef(f"{self.base}paper/{quote(key, safe='-._~+')}")

    def entity(self, key: str) -> URIRef:
        return URIRef(f"{self.base}entity/{quote(key, safe='-._~+')}")

    def scheme(self, type_name: str) -> URIRef:
        return URIRef(f"{self.base}scheme/{type_name.lower()}")


def paper_triples(paper: Paper, iri: URIRef) -> Iterator[Triple]:
    yield iri, RDF.type, SCHEMA.ScholarlyArticle
    yield iri, DCTERMS.title, Literal(paper.title)
    yield iri, DCTERMS.abstract, Literal(paper.abstract)
    yield iri, DCTERMS.identifier, Literal(paper.id)
    if paper.arxiv_id:
        yield iri, FABIO.hasArXivID, Literal(paper.arxiv_id)
    if paper.url:
        yield iri, SCHEMA.url, Literal(paper.url, datatype=XSD.anyURI)
    for label in listing_label(paper):
        yield iri, KG.listing, Literal(label)


def triples(papers: Iterable[Paper], resolution: Resolution,
            minter: Minter | None = None) -> Iterator[Triple]:
    """Every triple of the graph, streamed (no rdflib Graph needed)."""
    minter = minter or Minter()
    for type_name in sorted({e.type.value for e in resolution.entities.values()}):
        scheme = minter.scheme(type_name)
        yield scheme, RDF.type, SKOS.ConceptScheme
        yield scheme, SKOS.prefLabel, Literal(f"{type_name}s", lang="en")
    for entity in resolution.entities.values():
        iri = minter.entity(entity.key)
        yield iri, RDF.type, SKOS.Concept
        yield iri, RDF.type, KG[entity.type.value]
        yield iri, SKOS.prefLabel, Literal(entity.name)
        yield iri, SKOS.inScheme, minter.scheme(entity.type.value)
        yield iri, KG.paperCount, Literal(entity.papers)
        for alias in entity.aliases:
            yield iri, SKOS.altLabel, Literal(alias)
        if entity.family:
            yield iri, SKOS.broader, minter.entity(entity.family)
    for paper in papers:
        iri = minter.paper(paper.key)
        yield from paper_triples(paper, iri)
        for item in resolution.paper_entities.get(paper.key, []):
            target = minter.entity(item.entity)
            yield iri, SCHEMA.mentions, target
            yield iri, ROLE_PROPERTY[item.role.value], target


def to_rdflib(all_triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for triple in all_triples:
        graph.add(triple)
    return graph


def write_ntriples(all_triples: Iterable[Triple], path: Path) -> int:
    """Stream triples to N-Triples; return how many were written (duplicates included)."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for s, p, o in all_triples:
            out.write(f"{s.n3()} {p.n3()} {o.n3()} .\n")
            count += 1
    return count


def write_rdf_files(graph: Graph, directory: Path) -> None:
    """graph.ttl and graph.jsonld (with the prefixes as its @context)."""
    graph.serialize(directory / "graph.ttl", format="turtle", encoding="utf-8")
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    graph.serialize(directory / "graph.jsonld", format="json-ld", context=context, indent=1,
                    encoding="utf-8")


def load_store(ntriples: Path, store_dir: Path) -> int:
    """Bulk-load N-Triples into a new on-disk Oxigraph store; return its triple count."""
    store = pyoxigraph.Store(str(store_dir))
    store.bulk_load(path=str(ntriples), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.flush()
    count = len(store)
    del store
    return count


def open_store(store_dir: Path, read_only: bool = True) -> pyoxigraph.Store:
    if read_only:
        return pyoxigraph.Store.read_only(str(store_dir))
    return pyoxigraph.Store(str(store_dir))
