import re

import pyoxigraph
import pytest
import rdflib
import rdflib.compare

import kg
from kg.model import normalize_form
from kg.rdf import Minter
from kg.validate import validate, validate_graph
from kg.vocab import KG

from .conftest import MINI

GSM8K_PAPERS = """
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT DISTINCT ?title WHERE {
  ?paper schema:mentions ?entity ; dcterms:title ?title .
  ?entity skos:prefLabel|skos:altLabel ?label .
  FILTER(LCASE(STR(?label)) = "gsm8k")
}"""
FORMATS = {"graph.ttl": pyoxigraph.RdfFormat.TURTLE, "graph.nt": pyoxigraph.RdfFormat.N_TRIPLES,
           "graph.jsonld": pyoxigraph.RdfFormat.JSON_LD}


def test_turtle_ntriples_and_jsonld_hold_the_same_triples(sample_build):
    folder = sample_build.directory
    by_oxigraph = {name: set(pyoxigraph.parse(path=str(folder / name), format=fmt))
                   for name, fmt in FORMATS.items()}
    assert by_oxigraph["graph.ttl"] == by_oxigraph["graph.nt"] == by_oxigraph["graph.jsonld"]
    by_rdflib = {name: rdflib.Graph().parse(folder / name) for name in FORMATS}
    assert len({len(g) for g in by_rdflib.values()}) == 1
    assert rdflib.compare.isomorphic(by_rdflib["graph.ttl"], by_rdflib["graph.nt"])
    assert rdflib.compare.isomorphic(by_rdflib["graph.jsonld"], by_rdflib["graph.nt"])
    triples = sample_build.summary.triples
    assert len(by_rdflib["graph.nt"]) == len(by_oxigraph["graph.nt"]) == triples


def test_store_holds_the_graph_and_answers_sparql(sample_build):
    store = sample_build.store
    assert len(store) == sample_build.summary.triples
    titles = {str(row["title"].value) for row in store.query(GSM8K_PAPERS)}
    expected = {p.title for p in sample_build.papers
                if re.search(r"\bGSM8K\b", p.text, re.IGNORECASE)}
    assert len(expected) >= 3
    assert titles == expected


def test_void_counts_every_triple(sample_build):
    store = sample_build.store
    [row] = store.query("SELECT ?n WHERE { ?d a <http://rdfs.org/ns/void#Dataset> ; "
                        "<http://rdfs.org/ns/void#triples> ?n }")
    assert int(row["n"].value) == len(store)


def test_entities_are_typed_concepts_with_labels(sample_build):
    graph = rdflib.Graph().parse(sample_build.directory / "graph.nt")
    skos = rdflib.namespace.SKOS
    minter = Minter()
    for entity in sample_build.entities.values():
        iri = minter.entity(entity.key)
        types = {str(t).rsplit("#", 1)[-1] for t in graph.objects(iri, rdflib.RDF.type)}
        assert {"Concept", entity.type.value} <= types
        assert str(graph.value(iri, skos.prefLabel)) == entity.name
        assert {str(a) for a in graph.objects(iri, skos.altLabel)} == set(entity.aliases)
        assert normalize_form(entity.name)
        if entity.family:
            assert graph.value(iri, skos.broader) == minter.entity(entity.family)


def test_evidence_points_at_the_exact_text(sample_build):
    store = sample_build.store
    rows = store.query("""
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX kg: <https://w3id.org/kg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?key ?exact ?start ?end ?time WHERE {
          ?m a kg:Mention ; prov:wasDerivedFrom ?paper ; oa:hasTarget ?t ;
             prov:wasGeneratedBy ?step .
          ?paper dcterms:identifier ?key .
          ?t oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end .
          ?step dcterms:isPartOf ?run . ?run prov:startedAtTime ?time ; kg:softwareVersion ?v .
        }""")
    texts = {str(p.id): p.text for p in sample_build.papers}
    checked = 0
    for row in rows:
        text = texts[row["key"].value]
        assert text[int(row["start"].value):int(row["end"].value)] == row["exact"].value
        checked += 1
    assert checked == len(sample_build.mentions)


def test_the_sample_conforms_and_a_broken_graph_does_not(sample_build, tmp_path):
    assert validate(sample_build.directory).conforms
    graph = rdflib.Graph().parse(sample_build.directory / "graph.nt")
    entity = Minter().entity(next(iter(sample_build.entities)))
    graph.remove((entity, rdflib.namespace.SKOS.prefLabel, None))
    article = rdflib.URIRef("https://schema.org/ScholarlyArticle")
    paper = next(graph.subjects(rdflib.RDF.type, article))
    graph.add((paper, rdflib.namespace.DCTERMS.title, rdflib.Literal("a second title")))
    result = validate_graph(graph)
    assert not result.conforms
    assert any(str(entity) in line and "prefLabel" in line for line in result.violations)
    assert any(str(paper) in line and "title" in line for line in result.violations)


def test_lean_export_and_base_iri(tmp_path):
    lean = kg.build([MINI], tmp_path / "lean", evidence=False, base_iri="https://example.org/g")
    full = kg.build([MINI], tmp_path / "full")
    assert 0 < lean.summary.triples < full.summary.triples
    graph = rdflib.Graph().parse(tmp_path / "lean" / "graph.nt")
    assert not list(graph.subjects(rdflib.RDF.type, KG.Mention))
    subjects = {str(s) for s in graph.subjects()}
    assert all(s.startswith("https://example.org/g/") for s in subjects)


def test_iris_are_stable_across_builds(tmp_path):
    first = kg.build([MINI], tmp_path / "a")
    second = kg.build([MINI], tmp_path / "b")
    entities = "SELECT ?e WHERE { ?e a <http://www.w3.org/2004/02/skos/core#Concept> }"
    assert {r["e"] for r in first.store.query(entities)} == {
        r["e"] for r in second.store.query(entities)}


@pytest.mark.parametrize("key", ["llama-2-7b", "gpt-4o", "a b", 'quote"d', "slash/ed",
                                 "ünïcødé-名前", "hash#tag", "<angle>", "back\\slash"])
def test_minted_iris_are_valid_for_any_key(key):
    iri = Minter().entity(key)
    line = f"<{iri}> <http://www.w3.org/2000/01/rdf-schema#label> \"x\" .\n"
    assert len(list(pyoxigraph.parse(line, format=pyoxigraph.RdfFormat.N_TRIPLES))) == 1
    assert Minter().entity(key) == iri


def test_vocabulary_typos_raise():
    with pytest.raises(AttributeError):
        _ = KG.introduce
