"""SPARQL speed: three library queries in Oxigraph (the build's store) and in rdflib (the
same graph.nt in memory), in one run.

    python benchmarks/query_speed.py BUILD_DIR [--repeat K]

BUILD_DIR is a `kg build` output (build a large synthetic corpus with
benchmarks/generate_corpus.py first; `--no-evidence` keeps rdflib's memory in reach).
Prints one JSON line per query with both times and the ratio rdflib / Oxigraph.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path

import rdflib

from kg.query import bindings, library, run_query
from kg.rdf import open_store

QUERIES = {  # library query -> parameters (queries rdflib's engine finishes at this scale:
    # on joins of a UNION with a FILTER, such as papers-using-entity, it runs for hours)
    "top-benchmarks": {},
    "top-datasets": {},
    "entities-of-type": {"type": "Benchmark"},
}


def best_seconds(run, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for row in measure(args.build, args.repeat):
        print(json.dumps(row))


def measure(build: Path, repeat: int) -> Iterator[dict]:
    """rdflib's load of graph.nt, then each query's time in Oxigraph and in rdflib."""
    queries = library()
    store = open_store(build / "store")
    started = time.perf_counter()
    graph = rdflib.Graph().parse(build / "graph.nt", format="nt")
    yield {"measure": "rdflib load graph.nt", "triples": len(graph),
           "seconds": round(time.perf_counter() - started, 2)}
    for name, params in QUERIES.items():
        item = queries[name]
        oxigraph_rows = run_query(store, item.text, item.params, params).values()
        init = {str(var.value): rdflib.Literal(value.value, datatype=rdflib.URIRef(
            value.datatype.value)) for var, value in bindings(item.params, params).items()}
        rdflib_rows = list(graph.query(item.text, initBindings=init))
        oxigraph_s = best_seconds(lambda i=item, p=params: run_query(store, i.text, i.params, p),
                                  repeat)
        rdflib_s = best_seconds(lambda i=item, b=init: list(graph.query(i.text, initBindings=b)),
                                repeat)
        yield {"measure": f"query {name}", "params": params,
               "rows": [len(oxigraph_rows), len(rdflib_rows)],
               "oxigraph_s": round(oxigraph_s, 4), "rdflib_s": round(rdflib_s, 4),
               "ratio": round(rdflib_s / oxigraph_s, 1)}

if __name__ == "__main__":
    main()
