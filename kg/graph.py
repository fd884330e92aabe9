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

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TextIO
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
import numpy
from scipy import sparse

from kg import measures
from kg.model import Paper, Role
from kg.resolve import Resolution
from kg.timing import collector_paused

MENTIONS, FAMILY, SHARES = "mentions", "family", "shares"
ROLE_VALUES = {role: role.value for role in Role}  # a million edges: no enum property look-up


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
    paper_ids: dict[str, str] = {}  # each node's id made once: edges share the string
    for paper in papers:
        paper_ids[paper.key] = node = paper_node(paper.key)
        graph.add_node(node, kind="paper", label=paper.title, title=paper.title,
                       date=paper.date or "", listings=listing_label(paper), url=paper.url or "",
                       arxiv_id=paper.arxiv_id or "")
    entity_ids = {key: entity_node(key) for key in resolution.entities}
    for entity in resolution.entities.values():
        graph.add_node(entity_ids[entity.key], kind="entity", label=entity.name,
                       type=entity.type.value, aliases=list(entity.aliases),
                       family=entity.family or "", papers=entity.papers)
    for entity in resolution.entities.values():
        if entity.family:
            graph.add_edge(entity_ids[entity.key], entity_node(entity.family), kind=FAMILY)
    graph.add_edges_from(mention_edges(resolution, paper_ids, entity_ids))
    add_paper_links(graph, neighbours, max_holders)
    measures.store_measures(graph)
    return graph


def mention_edges(resolution: Resolution, paper_ids: dict[str, str], entity_ids: dict[str, str],
                  ) -> Iterator[tuple[str, str, dict]]:
    """Each paper - entity edge with its data (`role`, `count`)."""
    for paper_key, found in resolution.paper_entities.items():
        paper = paper_ids.get(paper_key) or paper_node(paper_key)
        for item in found:
            entity = entity_ids.get(item.entity) or entity_node(item.entity)
            yield paper, entity, {"kind": MENTIONS, "role": ROLE_VALUES[item.role],
                                  "count": item.count}


def add_paper_links(graph: nx.Graph, neighbours: int, max_holders: int,
                    rows_per_chunk: int = 2000) -> None:
    """Link papers that share entities, weighted by the entities' rarity (IDF).

    Each paper keeps its `neighbours` strongest links (ties: the smaller node id first).
    The scores are a sparse product, papers x entities (IDF) by entities x papers, taken
    `rows_per_chunk` papers at a time, so memory stays linear in the corpus; each chunk's
    strongest links are picked by sorting its scores at once (numpy), not row by row.
    Entities held by more than `max_holders` papers are skipped: they say little about
    closeness (low IDF) and cost time quadratic in their popularity.
    """
    kinds = dict(graph.nodes(data="kind"))
    papers = [node for node, kind in kinds.items() if kind == "paper"]
    entities_of = [[n for n in graph.adj[paper] if kinds[n] == "entity"] for paper in papers]
    holders: Counter[str] = Counter(e for entities in entities_of for e in entities)
    total = max(len(papers), 1)
    idf = {entity: math.log(total / count) + 1 for entity, count in holders.items()
           if count <= max_holders}
    columns = sorted(idf)  # ids in order: a pair's shared entities come out sorted
    membership, weights = paper_entity_matrices(entities_of, columns, idf)
    rank = numpy.argsort(numpy.argsort(numpy.array(papers, dtype=object)))  # id order
    chosen = [strongest_links(weights[start:start + rows_per_chunk] @ membership.T, start,
                              rank, neighbours)
              for start in range(0, len(papers), rows_per_chunk)]
    if not chosen:
        return
    first, second, scores = (numpy.concatenate(parts) for parts in zip(*chosen, strict=True))
    if not len(first):
        return
    first, second, scores = distinct_links(first, second, scores, rank)
    shared = shared_entities(first, second, membership,
                             [column.removeprefix("entity:") for column in columns])
    graph.add_edges_from(
        (papers[a], papers[b], {"kind": SHARES, "weight": round(weight, 4), "shared": keys})
        for a, b, weight, keys in zip(first.tolist(), second.tolist(), scores.tolist(), shared,
                                      strict=True))


def strongest_links(scores: sparse.spmatrix, start: int, rank: numpy.ndarray,
                    neighbours: int) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """The `neighbours` best of each row of a chunk of scores (rows from paper `start` on):
    (paper, other paper, score) in row order, each row's best first (ties: the other
    paper's smaller rank), a paper's score with itself left out.

    A row has hundreds of scores and keeps ten: a bound under each row's tenth best is
    found first (`row_thresholds`), and only the scores above it (a tenth of them) are put
    in exact order."""
    scores = scores.tocsr()
    rows = numpy.repeat(numpy.arange(scores.shape[0], dtype=numpy.int64),
                        numpy.diff(scores.indptr))
    others, values = scores.indices, scores.data
    keep = others != rows + start
    rows, others, values = rows[keep], others[keep], values[keep]
    if not len(rows):
        return rows, others, values
    keep = values >= row_thresholds(rows, values, neighbours)[rows]
    rows, others, values = rows[keep], others[keep], values[keep]
    order = numpy.lexsort((rank[others], -values, rows))
    rows, others, values = rows[order], others[order], values[order]
    best = place_in_row(rows) < neighbours
    return rows[best] + start, others[best], values[best]


def row_thresholds(rows: numpy.ndarray, values: numpy.ndarray, count: int,
                   max_levels: int = 4096) -> numpy.ndarray:
    """Per row number (0 to the largest in `rows`), a value that the row's `count` best
    values all reach (0 when it has fewer): the values are counted by level (a histogram of
    at most `max_levels` bins per row), and the bound is the bottom of the highest level
    with `count` values at or above it."""
    scale = min(8.0, (max_levels - 1) / float(values.max()))
    levels = numpy.floor(values * scale).astype(numpy.int64)
    width = int(levels.max()) + 1
    counts = numpy.bincount(rows * width + levels, minlength=(int(rows.max()) + 1) * width)
    at_or_above = counts.reshape(-1, width)[:, ::-1].cumsum(axis=1)
    enough = at_or_above >= count
    level = numpy.where(enough.any(axis=1), width - 1 - enough.argmax(axis=1), 0)
    return numpy.maximum(level - 0.5, 0) / scale  # half a level under: floor's rounding


def place_in_row(rows: numpy.ndarray) -> numpy.ndarray:
    """For sorted row numbers, each entry's place within its row (0, 1, ...)."""
    row_starts = numpy.flatnonzero(numpy.r_[True, rows[1:] != rows[:-1]])
    return numpy.arange(len(rows)) - numpy.repeat(row_starts,
                                                  numpy.diff(numpy.r_[row_starts, len(rows)]))


def distinct_links(first: numpy.ndarray, second: numpy.ndarray, scores: numpy.ndarray,
                   rank: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """Each pair of papers once, the one of smaller rank first, in rank order; a pair both
    papers chose keeps the score its later paper gave (as a dict filled in order would)."""
    swap = rank[first] > rank[second]
    first, second = numpy.where(swap, second, first), numpy.where(swap, first, second)
    pair = rank[first].astype(numpy.int64) * len(rank) + rank[second]
    order = numpy.lexsort((numpy.arange(len(pair)), pair))
    last = numpy.r_[pair[order][1:] != pair[order][:-1], True]
    kept = order[last]
    return first[kept], second[kept], scores[kept]


def shared_entities(first: numpy.ndarray, second: numpy.ndarray, membership: sparse.csr_matrix,
                    names: list[str], pairs_per_chunk: int = 200_000) -> list[list[str]]:
    """For each pair of rows (papers), the names of the columns (entities) both hold, in
    column order. Each side of the pairs is laid out as sorted (pair, column) numbers; the
    second side's numbers found in the first (a binary search each) are the shared ones."""
    membership.sort_indices()
    shared: list[list[str]] = []
    for start in range(0, len(first), pairs_per_chunk):
        stop = start + pairs_per_chunk
        ours = pair_cells(first[start:stop], membership)
        theirs = pair_cells(second[start:stop], membership)
        found = numpy.minimum(numpy.searchsorted(ours, theirs), max(len(ours) - 1, 0))
        both = theirs[ours[found] == theirs] if len(ours) else theirs[:0]
        flat = [names[column] for column in (both % len(names)).tolist()]
        stops = numpy.cumsum(numpy.bincount(both // len(names),
                                            minlength=len(first[start:stop]))).tolist()
        shared += map(flat.__getitem__, map(slice, [0, *stops[:-1]], stops))
    return shared


def pair_cells(rows: numpy.ndarray, matrix: sparse.csr_matrix) -> numpy.ndarray:
    """The cells of the given rows as numbers, row's place in `rows` * columns + column:
    ascending when the matrix's columns are sorted within rows."""
    ends = matrix.indptr
    sizes = (ends[rows + 1] - ends[rows]).astype(numpy.int64)
    cells = numpy.repeat(ends[rows] - numpy.cumsum(sizes) + sizes, sizes) + numpy.arange(
        sizes.sum())
    places = numpy.repeat(numpy.arange(len(rows), dtype=numpy.int64), sizes)
    return places * matrix.shape[1] + matrix.indices[cells]


def paper_entity_matrices(entities_of: list[list[str]], columns: list[str],
                          idf: dict[str, float]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Papers (rows, in the order of `entities_of`) x `columns` (entities, those in `idf`):
    membership (1) and membership times IDF."""
    column = {entity: number for number, entity in enumerate(columns)}
    rows, numbers = [], []
    for row, entities in enumerate(entities_of):
        for entity in entities:
            if entity in column:
                rows.append(row)
                numbers.append(column[entity])
    shape = (len(entities_of), len(column))
    ones = numpy.ones(len(rows))
    membership = sparse.csr_matrix((ones, (rows, numbers)), shape=shape)
    idf_values = numpy.array([idf[entity] for entity in columns])
    weights = sparse.csr_matrix((idf_values[numbers] if numbers else ones, (rows, numbers)),
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
    with collector_paused():
        return nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")


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
