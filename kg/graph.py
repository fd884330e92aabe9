"""Graph: papers and resolved entities -> one networkx graph.

In: `Paper`s and a `Resolution` (kg.resolve). Out: an undirected `nx.Graph` whose nodes are
"paper:<key>" and "entity:<key>" and whose edges carry a `kind`:

    mentions   paper - entity, with `role` (introduced | used) and `count` (mentions)
    family     entity - entity, a variant and its family (Llama-2-7B - Llama 2)
    shares     paper - paper, the projection: `weight` (sum of the IDF of the shared
               entities) and `shared` (their keys); each paper keeps its `neighbours`
               strongest links so the projection stays linear in the corpus

Every node has `kind` and `label`; entities have `type`, `aliases`, `family`, `papers`;
papers have `title`, `date`, `listings`, `url`, `arxiv_id`. Every node also has the
measures of kg.measures, computed once here for kg.analytics: `pagerank` and `community`
(-1 for none), with `G.graph["measured"]`. Also reads and writes the graph as node-link
JSON and GraphML.
"""

from __future__ import annotations

import gc
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy
from scipy import sparse

from kg import measures
from kg.model import Paper
from kg.resolve import Resolution

MENTIONS, FAMILY, SHARES = "mentions", "family", "shares"


def paper_node(key: str) -> str:
    return f"paper:{key}"


def entity_node(key: str) -> str:
    return f"entity:{key}"


def listing_label(paper: Paper) -> list[str]:
    return [f"{listing.source}:{listing.line}" + (f" ({listing.date})" if listing.date else "")
            for listing in paper.listings]


def build_graph(papers: Iterable[Paper], resolution: Resolution, neighbours: int = 10,
                max_holders: int = 500) -> nx.Graph:
    """The knowledge graph of a corpus: bipartite paper-entity part plus paper-paper links."""
    graph = nx.Graph()
    for paper in papers:
        graph.add_node(paper_node(paper.key), kind="paper", label=paper.title, title=paper.title,
                       date=paper.date or "", listings=listing_label(paper), url=paper.url or "",
                       arxiv_id=paper.arxiv_id or "")
    for entity in resolution.entities.values():
        graph.add_node(entity_node(entity.key), kind="entity", label=entity.name,
                       type=entity.type.value, aliases=list(entity.aliases),
                       family=entity.family or "", papers=entity.papers)
    for entity in resolution.entities.values():
        if entity.family:
            graph.add_edge(entity_node(entity.key), entity_node(entity.family), kind=FAMILY)
    for paper_key, found in resolution.paper_entities.items():
        for item in found:
            graph.add_edge(paper_node(paper_key), entity_node(item.entity), kind=MENTIONS,
                           role=item.role.value, count=item.count)
    add_paper_links(graph, neighbours, max_holders)
    measures.store_measures(graph)
    return graph


def add_paper_links(graph: nx.Graph, neighbours: int, max_holders: int,
                    rows_per_chunk: int = 2000) -> None:
    """Link papers that share entities, weighted by the entities' rarity (IDF).

    Each paper keeps its `neighbours` strongest links (ties: the smaller node id first).
    The scores are a sparse product, papers x entities (IDF) by entities x papers, taken
    `rows_per_chunk` papers at a time, so memory stays linear in the corpus. Entities held
    by more than `max_holders` papers are skipped: they say little about closeness (low
    IDF) and cost time quadratic in their popularity.
    """
    papers = [node for node, kind in graph.nodes(data="kind") if kind == "paper"]
    entities_of = {paper: {n for n in graph[paper] if graph.nodes[n]["kind"] == "entity"}
                   for paper in papers}
    holders: Counter[str] = Counter(e for entities in entities_of.values() for e in entities)
    total = max(len(papers), 1)
    idf = {entity: math.log(total / count) + 1 for entity, count in holders.items()
           if count <= max_holders}
    membership, weights = paper_entity_matrices(papers, entities_of, idf)
    rank = numpy.argsort(numpy.argsort(numpy.array(papers, dtype=object)))  # id order
    links: dict[tuple[str, str], float] = {}
    for start in range(0, len(papers), rows_per_chunk):
        scores = (weights[start:start + rows_per_chunk] @ membership.T).tocsr()
        for row in range(scores.shape[0]):
            paper = start + row
            cells = slice(scores.indptr[row], scores.indptr[row + 1])
            others, values = scores.indices[cells], scores.data[cells]
            keep = others != paper
            others, values = others[keep], values[keep]
            best = numpy.lexsort((rank[others], -values))[:neighbours]
            for other, weight in zip(others[best], values[best], strict=True):
                first, second = sorted((papers[paper], papers[other]))
                links[(first, second)] = float(weight)
    for (first, second), weight in sorted(links.items()):
        shared = sorted(e.removeprefix("entity:")
                        for e in entities_of[first] & entities_of[second] if e in idf)
        graph.add_edge(first, second, kind=SHARES, weight=round(weight, 4), shared=shared)


def paper_entity_matrices(papers: list[str], entities_of: dict[str, set[str]],
                          idf: dict[str, float]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Papers x entities (those in `idf`): membership (1) and membership times IDF."""
    column = {entity: number for number, entity in enumerate(idf)}
    rows, columns = [], []
    for row, paper in enumerate(papers):
        for entity in entities_of[paper]:
            if entity in column:
                rows.append(row)
                columns.append(column[entity])
    shape = (len(papers), len(column))
    ones = numpy.ones(len(rows))
    membership = sparse.csr_matrix((ones, (rows, columns)), shape=shape)
    idf_values = numpy.array(list(idf.values()))
    weights = sparse.csr_matrix((idf_values[columns] if columns else ones, (rows, columns)),
                                shape=shape)
    return membership, weights


def write_node_link(graph: nx.Graph, path: Path, batch: int = 4096) -> None:
    """networkx's node-link JSON (what `nx.node_link_data(graph, edges="edges")` holds),
    streamed `batch` nodes or edges at a time: no copy of the graph is made, and the C
    encoder gets a list per call (a call per item costs more than encoding it)."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    nodes = ({**data, "id": node} for node, data in graph.nodes(data=True))
    edges = ({**data, "source": first, "target": second}
             for first, second, data in graph.edges(data=True))
    with path.open("w", encoding="utf-8") as out:
        out.write('{"directed": false, "multigraph": false, "graph": ' + encode(graph.graph)
                  + ', "nodes": [')
        write_items(out, nodes, encode, batch)
        out.write('], "edges": [')
        write_items(out, edges, encode, batch)
        out.write("]}")


def write_items(out: TextIO, items: Iterable[dict], encode: Callable[[object], str],
                batch: int) -> None:
    """The items as the inside of a JSON list, ", " between them."""
    iterator = iter(items)
    separator = ""
    while chunk := list(itertools.islice(iterator, batch)):
        out.write(separator + encode(chunk)[1:-1])  # "[a, b]" without its brackets
        separator = ", "


def read_node_link(path: Path) -> nx.Graph:
    """The graph of graph.json. Python's cycle collector is paused meanwhile: the millions
    of dicts and lists made here all stay alive, and its passes over them (a third of the
    reading time at 100,000 papers) find nothing to free."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    finally:
        if collecting:
            gc.enable()


GRAPHML_HEADER = ('<?xml version=\'1.0\' encoding=\'utf-8\'?>\n'
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                  'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
GRAPHML_TYPES = ((bool, "boolean"), (int, "long"), (float, "double"))  # as networkx names them
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_SPECIAL = re.compile("[&<>\x00-\x1f\ufffe\uffff]")  # needs escaping or dropping


def graphml_keys(items: Iterable[dict], start: int) -> dict[str, tuple[str, str]]:
    """Each attribute name -> (key id, GraphML type), in order of first appearance."""
    keys: dict[str, tuple[str, str]] = {}
    for data in items:
        if data.keys() <= keys.keys():  # the common case, tested in C
            continue
        for name, value in data.items():
            if name not in keys:
                kind = next((t for cls, t in GRAPHML_TYPES if isinstance(value, cls)), "string")
                keys[name] = (f"d{start + len(keys)}", kind)
    return keys


def graphml_data(data: dict, openings: dict[str, str]) -> str:
    """The <data> elements of a node or an edge; `openings`: each name's opening tag."""
    return "".join([f"{openings[name]}{xml_text(value)}</data>" for name, value in data.items()])


def xml_text(value: object) -> str:
    """Element text (lists joined with '; '): escaped, without the characters XML 1.0
    cannot hold."""
    if type(value) is not str:
        value = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
    return escape(_XML_INVALID.sub("", value)) if _XML_SPECIAL.search(value) else value


def xml_attribute(value: str) -> str:
    if _XML_SPECIAL.search(value) or '"' in value:
        return quoteattr(_XML_INVALID.sub("", value))
    return f'"{value}"'


def write_graphml(graph: nx.Graph, path: Path) -> None:
    """GraphML as networkx writes it (lists become '; '-joined strings), streamed element by
    element: no copy of the graph is made."""
    node_keys = graphml_keys((data for _, data in graph.nodes(data=True)), 0)
    edge_keys = graphml_keys((data for _, _, data in graph.edges(data=True)),
                             len(node_keys))
    node_data, edge_data = ({name: f'<data key="{key}">' for name, (key, _) in keys.items()}
                            for keys in (node_keys, edge_keys))
    with path.open("w", encoding="utf-8") as out:
        out.write(GRAPHML_HEADER)
        for domain, keys in (("node", node_keys), ("edge", edge_keys)):
            for name, (key, kind) in keys.items():
                out.write(f'  <key id="{key}" for="{domain}" attr.name={quoteattr(name)} '
                          f'attr.type="{kind}" />\n')
        out.write('  <graph edgedefault="undirected">\n')
        out.writelines(f"    <node id={xml_attribute(node)}>"
                       f"{graphml_data(data, node_data)}</node>\n"
                       for node, data in graph.nodes(data=True))
        out.writelines(f"    <edge source={xml_attribute(first)} "
                       f"target={xml_attribute(second)}>"
                       f"{graphml_data(data, edge_data)}</edge>\n"
                       for first, second, data in graph.edges(data=True))
        out.write("  </graph>\n</graphml>\n")
