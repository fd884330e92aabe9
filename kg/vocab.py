"""The vocabularies of the RDF export: kg's own terms and the standard ones it reuses.

`KG` is a DefinedNamespace: a term that schemas/kg.ttl does not define raises at import or
first use (KG.introduce -> AttributeError), so a typo cannot mint a silent new property.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD, DefinedNamespace


class KG(DefinedNamespace):
    """https://w3id.org/kg/ontology# — see schemas/kg.ttl for each term's meaning."""

    _NS = Namespace("https://w3id.org/kg/ontology#")
    _fail = True

    Artifact: URIRef
    Model: URIRef
    Dataset: URIRef
    Benchmark: URIRef
    Method: URIRef
    Mention: URIRef
    ExtractionRun: URIRef
    introduces: URIRef
    uses: URIRef
    listing: URIRef
    listingDate: URIRef
    paperCount: URIRef
    mentionCount: URIRef
    rule: URIRef
    sentence: URIRef
    softwareVersion: URIRef


SCHEMA = Namespace("https://schema.org/")
FABIO = Namespace("http://purl.org/spar/fabio/")
OA = Namespace("http://www.w3.org/ns/oa#")
LPWC = Namespace("https://linkedpaperswithcode.com/class/")

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS), "schema": str(SCHEMA), "dcterms": str(DCTERMS), "skos": str(SKOS),
    "fabio": str(FABIO), "prov": str(PROV), "oa": str(OA), "void": str(VOID), "xsd": str(XSD),
    "rdf": str(RDF), "rdfs": str(RDFS), "lpwc": str(LPWC),
}

__all__ = ["KG", "SCHEMA", "FABIO", "OA", "LPWC", "PREFIXES", "DCTERMS", "PROV", "RDF", "RDFS",
           "SKOS", "VOID", "XSD"]
