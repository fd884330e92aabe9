"""kg: a knowledge graph of machine-learning research, built from paper titles and abstracts.

    ingest -> extract -> resolve -> graph -> publish (RDF, Oxigraph, HTML, GraphML, JSON, CSV)

`kg.build(inputs, output)` runs every stage; `kg.add(inputs, output)` adds new listings to a
build; `kg.load(output)` reads a build back.
"""

from kg.api import KnowledgeGraph, add, build, load, sample_dir
from kg.version import __version__

__all__ = ["KnowledgeGraph", "add", "build", "load", "sample_dir", "__version__"]
