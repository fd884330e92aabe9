import re

import pyoxigraph
import rdflib
import rdflib.compare

from kg.model import normalize_form

GSM8K_PAPERS = """
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?title WHERE {
  ?paper schema:mentions ?entity ; dcterms:title ?title .
  ?entity skos:prefLabel|skos:altLabel ?label .
  FILTER(LCASE(STR(?label)) = "gsm8k")
}"""


def test_turtle_and_ntriples_parse_to_the_same_triples(sample_build):
    folder = sample_build.directory
    turtle = rdflib.Graph().parse(folder / "graph.ttl")
    ntriples = rdflib.Graph().parse(folder / "graph.nt")
    jsonld = rdflib.Graph().parse(folder / "graph.jsonld")
    assert len(turtle) == len(ntriples) == len(jsonld) == sample_build.summary.triples
    assert rdflib.compare.isomorphic(turtle, ntriples)
    for name, fmt in (("graph.ttl", pyoxigraph.RdfFormat.TURTLE),
                      ("graph.nt", pyoxigraph.RdfFormat.N_TRIPLES)):
        assert len(list(pyoxigraph.parse(path=str(folder / name), format=fmt))) == len(turtle)


def test_store_holds_the_graph_and_answers_sparql(sample_build):
    store = sample_build.store
    assert len(store) == sample_build.summary.triples
    titles = {str(row["title"].value) for row in store.query(GSM8K_PAPERS)}
    expected = {p.title for p in sample_build.papers
                if re.search(r"\bGSM8K\b", p.text, re.IGNORECASE)}
    assert len(expected) >= 3
    assert titles == expected


def test_entities_are_typed_concepts_with_labels(sample_build):
    graph = rdflib.Graph().parse(sample_build.directory / "graph.nt")
    skos = rdflib.namespace.SKOS
    for entity in sample_build.entities.values():
        iri = next(graph.subjects(skos.prefLabel, rdflib.Literal(entity.name)))
        types = {str(t).rsplit("#", 1)[-1] for t in graph.objects(iri, rdflib.RDF.type)}
        assert {"Concept", entity.type.value} <= types
        alt = {str(a) for a in graph.objects(iri, skos.altLabel)}
        assert alt == set(entity.aliases)
        assert normalize_form(entity.name)
