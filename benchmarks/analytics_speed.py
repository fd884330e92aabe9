"""kg.analytics on a large build: each function's first call and repeated calls.

    python benchmarks/analytics_speed.py BUILD_DIR [--repeat N] [--report]

Reads BUILD_DIR/graph.json as kg.load does and prints one JSON line per measurement:
reading the graph, what kg.load adds for analytics (`analytics.prepare`: the incidence
matrix, the papers' first dates), what the build adds (`measures.store_measures`: PageRank
and communities; computed here when the build predates them), then every analytics
function, called N times on the same graph (the first call and the slowest repeat);
with --report, `kg analyze`'s summary and report (written to a temporary folder).
"""

from __future__ import annotations

import argparse
import gc
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg import analysis_report, analytics, measures
from kg import graph as graph_io


def seconds(call: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = call()
    return round(time.perf_counter() - started, 3), result


def report(measure: str, **figures: object) -> None:
    print(json.dumps({"measure": measure, **figures}), flush=True)


def prepare(graph: nx.Graph) -> None:
    """The load-time and build-time steps, each timed on its own."""
    took, _ = seconds(lambda: measures.incidence(graph))
    report("measures.incidence (in kg.load and in the build)", seconds=took)
    took, _ = seconds(lambda: analytics.prepare(graph))
    report("analytics.prepare, the rest: first dates (in kg.load)", seconds=took)
    measure(graph)


def measure(graph: nx.Graph) -> None:
    """What the build adds, timed here when the build predates kg.measures."""
    if measures.is_measured(graph):
        report("measures.store_measures", stored_by_the_build=True)
        return
    took, _ = seconds(lambda: measures.pagerank(graph))
    report("measures.pagerank (in the build)", seconds=took)
    took, ids = seconds(lambda: measures.community_ids(graph))
    report("measures.community_ids (in the build)", seconds=took,
           communities=len(set(ids.values())))
    took, _ = seconds(lambda: measures.store_measures(graph))
    report("measures.store_measures (in the build: both again, and the attributes)",
           seconds=took)


def questions(graph: nx.Graph) -> dict[str, Callable[[], object]]:
    """The analytics calls to time, on a paper, the most mentioned entity and benchmark."""
    paper = next(n for n, kind in graph.nodes(data="kind") if kind == "paper")
    entity = analytics.top_entities(graph, k=1)[0][0]
    benchmark = analytics.top_entities(graph, type="Benchmark", k=1)[0][0]
    return {
        "similar_papers": lambda: analytics.similar_papers(graph, paper, 10),
        "top_entities(papers)": lambda: analytics.top_entities(graph, k=10),
        "top_entities(pagerank)": lambda: analytics.top_entities(graph, by="pagerank", k=10),
        "cooccurring": lambda: analytics.cooccurring(graph, entity, 10),
        "communities": lambda: analytics.communities(graph),
        "path": lambda: analytics.path(graph, paper, benchmark),
        "timeline": lambda: analytics.timeline(graph, entity),
        "new_entities": lambda: analytics.new_entities(graph, "2026-06-01"),
        "benchmark_table": lambda: analytics.benchmark_table(graph, benchmark),
        "find_entity": lambda: analytics.find_entity(graph, graph.nodes[entity]["label"]),
        "communities(seed=1), computed": lambda: analytics.communities(graph, seed=1),
    }


def run(graph: nx.Graph, repeat: int) -> None:
    """Time every question `repeat` times on a prepared, measured graph (answers are
    dropped: kept, they would pile up and bring on the cycle collector's full passes)."""
    for name, call in questions(graph).items():
        times, sizes = [], set()
        for _ in range(repeat):
            took, result = seconds(call)
            times.append(took)
            sizes.add(len(result) if isinstance(result, list | str) else None)
        report(f"analytics.{name}", first=times[0], repeated_max=max(times[1:], default=None),
               results=sizes.pop())


def analysis(graph: nx.Graph) -> None:
    """`kg analyze` on the graph: the summary table, then report.md with its plots."""
    took, _ = seconds(lambda: analysis_report.summary(graph))
    report("analysis_report.summary", seconds=took)
    with tempfile.TemporaryDirectory() as folder:
        took, _ = seconds(lambda: analysis_report.write_analysis(graph, folder))
    report("analysis_report.write_analysis", seconds=took)


def collector_pause() -> None:
    """One full pass of Python's cycle collector over the loaded graph: it runs when enough
    new objects have survived, and lands on whichever call allocates at that moment."""
    took, _ = seconds(gc.collect)
    report("gc.collect (a full pass of the cycle collector)", seconds=took)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--report", action="store_true", help="time kg analyze too")
    args = parser.parse_args()
    took, graph = seconds(lambda: graph_io.read_node_link(args.build / "graph.json"))
    report("read graph.json", seconds=took, nodes=graph.number_of_nodes(),
           edges=graph.number_of_edges())
    prepare(graph)
    run(graph, args.repeat)
    if args.report:
        analysis(graph)
    collector_pause()


if __name__ == "__main__":
    main()
