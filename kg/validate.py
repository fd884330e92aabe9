"""Validate: a built graph -> does it conform to kg's SHACL shapes?

In: a build folder (its graph.nt). Out: `Validation` (conforms, one line per violation),
by pySHACL with schemas/shapes.ttl and schemas/kg.ttl as the ontology (so that kg:Model is
a kg:Artifact and a skos:Concept).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pyshacl
import rdflib
from rdflib.namespace import SH


@dataclass
class Validation:
    conforms: bool
    violations: list[str]
    report: str


def schema_file(name: str) -> Path:
    return Path(str(files("kg").joinpath("schemas", name)))


def violation_lines(results: rdflib.Graph) -> list[str]:
    """'focus node  path: message' for each top-level violation, sorted."""
    lines = []
    for result in results.subjects(rdflib.RDF.type, SH.ValidationResult):
        if (None, SH.detail, result) in results:
            continue
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        lines.append(f"{focus}  {path.n3(results.namespace_manager) if path else ''}: {message}")
    return sorted(lines)


def validate_graph(data: rdflib.Graph) -> Validation:
    shapes = rdflib.Graph().parse(schema_file("shapes.ttl"))
    ontology = rdflib.Graph().parse(schema_file("kg.ttl"))
    conforms, results, text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology,
                                               inference="none")
    return Validation(bool(conforms), violation_lines(results), text)


def validate(directory: Path | str) -> Validation:
    """Check a build folder's graph.nt against the shapes."""
    path = Path(directory) / "graph.nt"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file; run `kg build` first")
    return validate_graph(rdflib.Graph().parse(path, format="nt"))
