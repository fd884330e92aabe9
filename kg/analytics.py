"""Analytics over a built graph: plain functions in, plain data out.

In: the networkx graph of a build (`kg.load(DIR).graph`, made by kg.graph): paper nodes
"paper:<key>" and entity nodes "entity:<key>", `mentions` edges between them (with `role`),
`family` edges from a variant to its family and the `shares` paper-paper projection.
Out: lists, dicts and tuples of str, int and float, ready for a table, JSON or a test.

A paper is named by its node id or its title, an entity by its node id, key, name or alias
(case-insensitive); an unknown name raises `UnknownNode` (a KeyError), an ambiguous one a
ValueError. The functions read the bipartite paper-entity part (the edges between a paper
and an entity: the `mentions`) and leave the stored `shares` links aside; they use
networkx's own algorithms (PageRank, Louvain, shortest paths; kg.measures).

Speed: on a 100,000-paper graph (1.6 million edges) a filtered view or a copy of the graph
costs seconds per call, so the functions read the paper-entity part from a sparse
incidence matrix made once and kept with the graph (`prepare`, kg.measures.incidence;
kg.load makes it). PageRank and communities, whole-graph computations, are computed once
by the build and stored on the nodes (kg.measures); they are read from there while the
graph keeps the size it was measured at. Each function then answers within about a
second at that size (benchmarks/analytics_speed.py).

Dates are written as the inputs give them: ISO ("2026-10-03") or a Daily Papers date line
("Aug 12", no year). `date_key` orders them: date lines (by month and day) before ISO dates,
undated last; a paper's date is the earliest of its own date and its listings' dates.
"""

from __future__ import annotations

import heapq
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar

import networkx as nx
import numpy as np

from kg import measures
from kg.graph import FAMILY, MENTIONS
from kg.model import EntityType

T = TypeVar("T")
TYPES = tuple(t.value for t in EntityType)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DATE_LINE = re.compile(r"^([A-Za-z]{3})[a-z]*\.? (\d{1,2})(?:, (\d{4}))?$")
_LISTING_DATE = re.compile(r"\(([^()]+)\)\s*$")


class UnknownNode(KeyError):
    """No paper or entity goes by that name (a KeyError whose message reads plainly)."""

    def __str__(self) -> str:
        return str(self.args[0])


# -- helpers: the bipartite part, names, dates ---------------------------------------------


def mentions_graph(G: nx.Graph) -> nx.Graph:
    """A read-only view of G with every node and only its paper-entity `mentions` edges.

    >>> G = nx.Graph([("paper:a", "entity:x", {"kind": "mentions"}),
    ...               ("paper:a", "paper:b", {"kind": "shares"})])
    >>> sorted(mentions_graph(G).edges())
    [('paper:a', 'entity:x')]
    """
    return nx.subgraph_view(G, filter_edge=lambda a, b: G.edges[a, b].get("kind") == MENTIONS)


def _nodes(G: nx.Graph, kind: str) -> list[str]:
    return [n for n, k in G.nodes(data="kind") if k == kind]




def _title(G: nx.Graph, node: str) -> str:
    data = G.nodes[node]
    return data.get("title") or data.get("label") or node


def _unique(hits: list[str], what: str, ref: str) -> str | None:
    if len(hits) > 1:
        plural = {"paper": "papers", "entity": "entities"}[what]
        raise ValueError(f"{ref!r} names {len(hits)} {plural}: {', '.join(sorted(hits))}")
    return hits[0] if hits else None


def find_paper(G: nx.Graph, ref: str) -> str:
    """The node id of a paper given by node id, key or title (exact, case-insensitive).

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", label="Attention", title="Attention")
    >>> find_paper(G, "attention"), find_paper(G, "paper:a"), find_paper(G, "a")
    ('paper:a', 'paper:a', 'paper:a')
    """
    for node in (ref, f"paper:{ref}"):
        if G.nodes.get(node, {}).get("kind") == "paper":
            return node
    wanted = ref.strip().casefold()
    hits = [n for n in _nodes(G, "paper") if _title(G, n).strip().casefold() == wanted]
    found = _unique(hits, "paper", ref)
    if found is None:
        raise UnknownNode(f"no paper with the id or title {ref!r}")
    return found


def find_entity(G: nx.Graph, ref: str) -> str:
    """The node id of an entity given by node id, key, name or alias (name first).

    >>> G = nx.Graph()
    >>> G.add_node("entity:lora", kind="entity", label="LoRA", aliases=["Low-Rank Adaptation"])
    >>> find_entity(G, "lora"), find_entity(G, "low-rank adaptation")
    ('entity:lora', 'entity:lora')
    """
    for node in (ref, f"entity:{ref}"):
        if G.nodes.get(node, {}).get("kind") == "entity":
            return node
    name, wanted = ref.strip(), ref.strip().casefold()
    entities = [(n, d) for n, d in G.nodes(data=True) if d.get("kind") == "entity"]
    tiers = (  # tried in order: later tiers are only read when the earlier ones find nothing
        lambda d: d.get("label", "") == name,
        lambda d: d.get("label", "").casefold() == wanted,
        lambda d: name in d.get("aliases", []),
        lambda d: wanted in {a.casefold() for a in d.get("aliases", [])},
    )
    for matches in tiers:
        found = _unique([n for n, d in entities if matches(d)], "entity", ref)
        if found is not None:
            return found
    raise UnknownNode(f"no entity with the id, name or alias {ref!r}")


def find_node(G: nx.Graph, ref: str) -> str:
    """A paper or an entity: node id, then entity name or alias, then paper title.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", label="On BERT", title="On BERT")
    >>> G.add_node("entity:bert", kind="entity", label="BERT", aliases=[])
    >>> find_node(G, "BERT"), find_node(G, "on bert")
    ('entity:bert', 'paper:a')
    """
    if ref in G:
        return ref
    try:
        return find_entity(G, ref)
    except UnknownNode:
        pass
    try:
        return find_paper(G, ref)
    except UnknownNode:
        raise UnknownNode(f"no paper or entity named {ref!r}") from None


def prepare(G: nx.Graph) -> None:
    """Read G once for the questions to come: its paper-entity incidence matrix and its
    papers' first dates, kept with G until its number of nodes or edges changes
    (kg.measures.cached). About 2 to 3 s at 100,000 papers: kg.load spends them, so that
    each question after it answers within seconds; without it the first question does.

    >>> G = nx.Graph([("paper:a", "entity:x")])
    >>> nx.set_node_attributes(G, {"paper:a": "paper", "entity:x": "entity"}, "kind")
    >>> prepare(G)
    >>> measures.incidence(G).papers_of("entity:x")
    ['paper:a']
    """
    measures.incidence(G)
    _first_dates(G)


def date_key(date: str) -> tuple[int, int, int, int]:
    """A sort key for a date as written: date lines by month/day first, then ISO, undated last.

    >>> sorted(["2024-01-05", "", "Mar 12", "Mar 9", "Feb 28", "2023-12-31"], key=date_key)
    ['Feb 28', 'Mar 9', 'Mar 12', '2023-12-31', '2024-01-05', '']
    """
    text = (date or "").strip()
    if iso := _ISO.match(text):
        return (0, int(iso[1]), int(iso[2]), int(iso[3]))
    line = _DATE_LINE.match(text)
    if line and line[1].casefold() in _MONTHS:
        return (0, int(line[3] or 0), _MONTHS.index(line[1].casefold()) + 1, int(line[2]))
    return (1, 0, 0, 0)


def paper_dates(G: nx.Graph, paper: str) -> list[str]:
    """Every date known for a paper: its own, then its listings' date lines.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", date="2024-05-01",
    ...            listings=["a.txt:9 (Apr 30)", "b.csv:2"])
    >>> paper_dates(G, "paper:a")
    ['2024-05-01', 'Apr 30']
    """
    data = G.nodes[paper]
    listed = (_LISTING_DATE.search(item) for item in data.get("listings", []))
    dates = [data.get("date", ""), *(match[1] for match in listed if match)]
    return [d for d in dict.fromkeys(dates) if date_key(d)[0] == 0]


def first_date(G: nx.Graph, paper: str) -> str:
    """The paper's earliest known date (see `date_key`), or "" when it has none.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", date="",
    ...            listings=["a.txt:9 (Mar 12)", "b.txt:4 (Mar 9)"])
    >>> first_date(G, "paper:a")
    'Mar 9'
    """
    return min(paper_dates(G, paper), key=date_key, default="")


def _entity_type(type: str | None) -> str | None:
    if type is None:
        return None
    for name in TYPES:
        if name.casefold() == type.strip().casefold():
            return name
    raise ValueError(f"unknown entity type {type!r}: expected one of {', '.join(TYPES)}")


# -- the analytics ------------------------------------------------------------------------


def similar_papers(G: nx.Graph, paper: str, k: int = 10) -> list[tuple[str, float, list[str]]]:
    """Papers sharing entities with `paper`, best first: [(paper_id, score, [shared labels])].

    The score sums the shared entities' rarity, IDF = log(papers / papers of the entity);
    the shared labels come rarest first. Ties go by title.

    >>> G = nx.Graph()
    >>> G.add_nodes_from(["paper:a", "paper:b", "paper:c"], kind="paper")
    >>> G.add_nodes_from(["entity:bert", "entity:glue"], kind="entity")
    >>> nx.set_node_attributes(G, {n: n.split(":")[1].upper() for n in G}, "label")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:a", "entity:glue"),
    ...                   ("paper:b", "entity:bert"), ("paper:b", "entity:glue"),
    ...                   ("paper:c", "entity:bert")], kind="mentions", role="used")
    >>> similar_papers(G, "A")
    [('paper:b', 0.4055, ['GLUE', 'BERT']), ('paper:c', 0.0, ['BERT'])]
    """
    source = find_paper(G, paper)
    inc = measures.incidence(G)
    cols = inc.cols_of(source)
    idf = np.log(len(inc.papers) / inc.entity_degrees[cols])
    shares = inc.by_entity[:, cols]                  # the other papers x the source's entities
    sums, counts = shares @ idf, shares @ np.ones(len(cols))
    counts[inc.row_of[source]] = 0
    rows = np.flatnonzero(counts)
    if 0 < k < len(rows):  # a short list: only the candidates that can reach the top k
        rounded = np.round(sums[rows], 4)  # (numpy may round a tie 1e-4 off Python's round)
        rows = rows[rounded >= np.partition(rounded, -k)[-k] - 2e-4]
    score = {inc.papers[row]: round(float(sums[row]), 4) for row in rows.tolist()}
    best = _first(list(score), k,
                  lambda other: (-score[other], _title(G, other).casefold(), other))
    rarity = dict(zip(cols.tolist(), idf.tolist(), strict=True))

    def shared(other: str) -> list[str]:
        common = sorted(set(inc.cols_of(other).tolist()) & rarity.keys(), key=lambda col: (
            -rarity[col], G.nodes[inc.entities[col]]["label"].casefold()))
        return [G.nodes[inc.entities[col]]["label"] for col in common]

    return [(other, score[other], shared(other)) for other in best]


def top_entities(G: nx.Graph, type: str | None = None, by: str = "papers",
                 k: int = 10) -> list[tuple[str, str, str, int | float]]:
    """The leading entities: [(entity_id, label, type, value)], highest value first.

    `by="papers"` counts the papers that mention an entity; `by="pagerank"` is PageRank on
    the paper-entity part, unweighted (shown to 4 significant digits): the `pagerank` node
    attribute the build stored (kg.measures), or computed when the graph has none or has
    changed since. `type` keeps one type (Model, Dataset, Benchmark or Method, any case).

    >>> G = nx.Graph()
    >>> G.add_nodes_from(["paper:a", "paper:b"], kind="paper")
    >>> G.add_nodes_from(["entity:bert", "entity:glue"], kind="entity", type="Model")
    >>> G.nodes["entity:glue"]["type"] = "Benchmark"
    >>> nx.set_node_attributes(G, {n: n.split(":")[1].upper() for n in G}, "label")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:b", "entity:bert"),
    ...                   ("paper:b", "entity:glue")], kind="mentions", role="used")
    >>> top_entities(G)
    [('entity:bert', 'BERT', 'Model', 2), ('entity:glue', 'GLUE', 'Benchmark', 1)]
    >>> top_entities(G, type="benchmark", by="pagerank")
    [('entity:glue', 'GLUE', 'Benchmark', 0.1754)]
    """
    if by not in ("papers", "pagerank"):
        raise ValueError(f"by must be 'papers' or 'pagerank', not {by!r}")
    wanted = _entity_type(type)
    chosen = [n for n, d in G.nodes(data=True)
              if d["kind"] == "entity" and (wanted is None or d["type"] == wanted)]
    value = _pagerank(G, chosen) if by == "pagerank" else _papers_per_entity(G)
    best = _first(chosen, k, lambda n: (-round(value[n], 12), G.nodes[n]["label"].casefold(), n))
    show = (lambda v: float(f"{v:.4g}")) if by == "pagerank" else int
    return [(n, G.nodes[n]["label"], G.nodes[n]["type"], show(value[n])) for n in best]


def _first(items: list[T], k: int, key: Callable[[T], Any]) -> list[T]:
    """`sorted(items, key=key)[:k]`, without sorting the tens of thousands past k."""
    return heapq.nsmallest(k, items, key=key) if k > 0 else sorted(items, key=key)[:k]


def _pagerank(G: nx.Graph, nodes: list[str]) -> dict[str, float]:
    if measures.is_measured(G):
        return {n: G.nodes[n]["pagerank"] for n in nodes}
    return measures.pagerank(G)


def _papers_per_entity(G: nx.Graph) -> dict[str, int]:
    inc = measures.incidence(G)
    return dict(zip(inc.entities, inc.entity_degrees.tolist(), strict=True))


def cooccurring(G: nx.Graph, entity: str, k: int = 10) -> list[tuple[str, str, int]]:
    """Entities mentioned in the same papers as `entity`: [(entity_id, label, papers)].

    >>> G = nx.Graph()
    >>> G.add_nodes_from(["paper:a", "paper:b"], kind="paper")
    >>> G.add_nodes_from(["entity:bert", "entity:glue", "entity:squad"], kind="entity")
    >>> nx.set_node_attributes(G, {n: n.split(":")[1].upper() for n in G}, "label")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:a", "entity:glue"),
    ...                   ("paper:b", "entity:bert"), ("paper:b", "entity:glue"),
    ...                   ("paper:b", "entity:squad")], kind="mentions", role="used")
    >>> cooccurring(G, "BERT")
    [('entity:glue', 'GLUE', 2), ('entity:squad', 'SQUAD', 1)]
    """
    source = find_entity(G, entity)
    inc = measures.incidence(G)
    together = inc.matrix[inc.rows_of(source)].sum(axis=0)  # papers shared, per entity
    together[inc.col_of[source]] = 0
    rows = [(inc.entities[col], G.nodes[inc.entities[col]]["label"], int(together[col]))
            for col in np.flatnonzero(together).tolist()]
    return _first(rows, k, lambda row: (-row[2], row[1].casefold(), row[0]))


def communities(G: nx.Graph, seed: int = measures.LOUVAIN_SEED) -> list[dict]:
    """Groups of entities that appear together, largest first.

    Louvain (with `seed`) on the entity co-occurrence projection, weighted by shared papers;
    each paper joins the community of most of its entities (ties: the larger community).
    On a large graph Louvain sees the projection's strongest links only and the other
    entities join by their strongest tie (`kg.measures.community_ids`). With the default
    seed the `community` node attributes the build stored are read while the graph keeps
    the size it was measured at; otherwise the communities are computed (seconds at
    100,000 papers). Each community: {"id", "label" (its three most mentioned entities),
    "entities" (ids, most mentioned first), "papers" (ids, sorted)}.

    >>> G = nx.Graph()
    >>> G.add_nodes_from(["paper:a", "paper:b"], kind="paper")
    >>> G.add_nodes_from(["entity:bert", "entity:glue", "entity:gsm8k"], kind="entity")
    >>> nx.set_node_attributes(G, {n: n.split(":")[1].upper() for n in G}, "label")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:a", "entity:glue"),
    ...                   ("paper:b", "entity:gsm8k")], kind="mentions", role="used")
    >>> [(c["id"], c["label"], c["papers"]) for c in communities(G)]
    [(0, 'BERT, GLUE', ['paper:a']), (1, 'GSM8K', ['paper:b'])]
    """
    if seed == measures.LOUVAIN_SEED and measures.is_measured(G):
        ids = {n: i for n, i in G.nodes(data="community") if i is not None and i >= 0}
    else:
        ids = measures.community_ids(G, seed)
    papers_of = _papers_per_entity(G)
    entities: dict[int, list[str]] = defaultdict(list)
    papers: dict[int, list[str]] = defaultdict(list)
    for node, number in ids.items():
        (entities if node in papers_of else papers)[number].append(node)

    def popularity(n: str) -> tuple[int, str, str]:
        return (-papers_of[n], G.nodes[n]["label"].casefold(), n)

    ranked = [sorted(entities[i], key=popularity) for i in range(len(entities))]
    return [{"id": i, "label": _community_label(G, members), "entities": members,
             "papers": sorted(papers[i])} for i, members in enumerate(ranked)]


def _community_label(G: nx.Graph, members: list[str], top: int = 3) -> str:
    labels = [G.nodes[n]["label"] for n in members[:top]]
    return ", ".join(labels) + (", ..." if len(members) > top else "")


def path(G: nx.Graph, a: str, b: str) -> list[str]:
    """How two papers or entities connect, as readable steps along mentions and families.

    One shortest path over `mentions` and `family` edges (never the `shares` projection):
    "Paper --uses--> Entity", "Entity <--introduces-- Paper", "Variant --variant of--> Family".
    Raises networkx.NetworkXNoPath when nothing links them.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", label="Paper A", title="Paper A")
    >>> G.add_node("paper:b", kind="paper", label="Paper B", title="Paper B")
    >>> G.add_node("entity:bert", kind="entity", label="BERT", aliases=[], family="")
    >>> G.add_edge("paper:a", "entity:bert", kind="mentions", role="introduced")
    >>> G.add_edge("paper:b", "entity:bert", kind="mentions", role="used")
    >>> path(G, "Paper A", "paper b")
    ['Paper A --introduces--> BERT', 'BERT <--uses-- Paper B']
    """
    source, target = find_node(G, a), find_node(G, b)
    try:
        nodes = nx.bidirectional_shortest_path(_SortedLinks.of(G), source, target)
    except nx.NetworkXNoPath:
        raise nx.NetworkXNoPath(f"no path between {G.nodes[source]['label']!r} and "
                                f"{G.nodes[target]['label']!r} through mentions or "
                                "families") from None
    return [_step(G, u, v) for u, v in pairwise(nodes)]


class _SortedLinks(dict):
    """G's `mentions` and `family` links as an adjacency dict: each node's neighbours in
    sorted order, so a breadth-first search answers the same for the same graph however it
    was built. Filled in as a search reaches the nodes: a filtered, sorted copy of a
    100,000-paper graph costs seconds; a search reads a small part of it."""

    def __init__(self, G: nx.Graph) -> None:
        super().__init__()
        self.G = G

    def __missing__(self, node: str) -> dict[str, dict]:
        links = self.G._adj[node]
        self[node] = {n: links[n] for n in sorted(links)
                      if links[n].get("kind") in (MENTIONS, FAMILY)}
        return self[node]

    @classmethod
    def of(cls, G: nx.Graph) -> nx.Graph:
        """A read-only networkx graph with G's nodes and these lazily sorted links."""
        H = nx.Graph()
        H._node, H._adj = G._node, cls(G)
        return nx.freeze(H)


def _step(G: nx.Graph, u: str, v: str) -> str:
    data, left, right = G.edges[u, v], G.nodes[u]["label"], G.nodes[v]["label"]
    if data["kind"] == MENTIONS:
        verb = "introduces" if data.get("role") == "introduced" else "uses"
        forward = G.nodes[u]["kind"] == "paper"
    else:
        verb = "variant of"
        forward = G.nodes[u].get("family") == v.removeprefix("entity:")
    return f"{left} --{verb}--> {right}" if forward else f"{left} <--{verb}-- {right}"


def timeline(G: nx.Graph, entity: str) -> list[tuple[str, str, str]]:
    """The papers mentioning `entity` in order of first appearance: [(date, paper_id, title)].

    A paper's date is its earliest (own or listing) date; see `date_key` for the order.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", title="Later", date="Aug 12", listings=[])
    >>> G.add_node("paper:b", kind="paper", title="Earlier", date="", listings=["b.txt:3 (Mar 9)"])
    >>> G.add_node("entity:bert", kind="entity", label="BERT", aliases=[])
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:b", "entity:bert")],
    ...                  kind="mentions", role="used")
    >>> timeline(G, "BERT")
    [('Mar 9', 'paper:b', 'Earlier'), ('Aug 12', 'paper:a', 'Later')]
    """
    source = find_entity(G, entity)
    inc, dates = measures.incidence(G), _first_dates(G)
    found = inc.rows_of(source)
    rows = [(rank, dates.first[row], inc.papers[row], _title(G, inc.papers[row]))
            for row, rank in zip(found.tolist(), dates.order[found].tolist(), strict=True)]
    rows.sort(key=lambda row: (row[0], row[3].casefold(), row[2]))
    return [row[1:] for row in rows]


def first_seen(G: nx.Graph) -> dict[str, str]:
    """Each mentioned entity's first date: the earliest date of its papers ("" if undated).

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", date="Mar 12", listings=[])
    >>> G.add_node("paper:b", kind="paper", date="", listings=["b.txt:3 (Mar 9)"])
    >>> G.add_nodes_from(["entity:bert", "entity:glue", "entity:llama"], kind="entity")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:b", "entity:bert"),
    ...                   ("paper:a", "entity:glue")], kind="mentions", role="used")
    >>> first_seen(G)
    {'entity:bert': 'Mar 9', 'entity:glue': 'Mar 12'}
    """
    inc, dates = measures.incidence(G), _first_dates(G)
    by_entity = inc.by_entity
    mentioned = np.flatnonzero(inc.entity_degrees)
    if not len(mentioned):
        return {}
    # the earliest date of each entity's papers: a minimum over each column's slice
    earliest = np.minimum.reduceat(dates.order[by_entity.indices], by_entity.indptr[mentioned])
    return {inc.entities[col]: dates.distinct[rank]
            for col, rank in zip(mentioned.tolist(), earliest.tolist(), strict=True)}


@dataclass
class _FirstDates:
    """Each paper's first date, by incidence row, and its place in `date_key` order."""

    first: list[str]         # per row: the paper's first date ("" when undated)
    distinct: list[str]      # the distinct dates, in `date_key` order
    order: np.ndarray        # per row: the index of its date in `distinct`


def _first_dates(G: nx.Graph) -> _FirstDates:
    """Kept with the graph (kg.measures.cached): 100,000 papers take about a second."""
    return measures.cached(G, "first dates", _compute_first_dates)


def _compute_first_dates(G: nx.Graph) -> _FirstDates:
    first = [first_date(G, paper) for paper in measures.incidence(G).papers]
    distinct = sorted(set(first), key=lambda date: (date_key(date), date))
    index = {date: i for i, date in enumerate(distinct)}
    return _FirstDates(first, distinct, np.array([index[date] for date in first], dtype=np.int64))


def new_entities(G: nx.Graph, since: str) -> list[tuple[str, str, str, str]]:
    """Entities first seen on or after `since`: [(entity_id, label, type, first_date)].

    `since` is an ISO date or a date line ("Aug 12"); dates compare as `date_key` orders
    them. Entities whose papers are all undated are left out. Oldest first.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", date="2024-01-05", listings=[])
    >>> G.add_node("paper:b", kind="paper", date="2024-03-01", listings=[])
    >>> G.add_nodes_from(["entity:bert", "entity:glue"], kind="entity", type="Model")
    >>> nx.set_node_attributes(G, {n: n.split(":")[1].upper() for n in G}, "label")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:b", "entity:bert"),
    ...                   ("paper:b", "entity:glue")], kind="mentions", role="used")
    >>> new_entities(G, "2024-02-01")
    [('entity:glue', 'GLUE', 'Model', '2024-03-01')]
    """
    threshold = date_key(since)
    if threshold[0]:
        raise ValueError(f"since must be an ISO date or a date line like 'Aug 12', not {since!r}")
    rows = [(e, G.nodes[e]["label"], G.nodes[e]["type"], first)
            for e, first in first_seen(G).items() if first and date_key(first) >= threshold]
    rows.sort(key=lambda row: (date_key(row[3]), row[1].casefold(), row[0]))
    return rows


def benchmark_table(G: nx.Graph, benchmark: str) -> list[tuple[str, str, str, list[str]]]:
    """Models and methods of the papers that mention `benchmark` (any entity, datasets too):
    [(entity_id, label, type, [paper titles])], most papers first.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", title="Paper A")
    >>> G.add_node("entity:glue", kind="entity", label="GLUE", type="Benchmark", aliases=[])
    >>> G.add_node("entity:bert", kind="entity", label="BERT", type="Model", aliases=[])
    >>> G.add_edges_from([("paper:a", "entity:glue"), ("paper:a", "entity:bert")],
    ...                  kind="mentions", role="used")
    >>> benchmark_table(G, "GLUE")
    [('entity:bert', 'BERT', 'Model', ['Paper A'])]
    """
    source = find_entity(G, benchmark)
    inc = measures.incidence(G)
    kept = {col for col, entity in enumerate(inc.entities)
            if entity != source and G.nodes[entity]["type"] in ("Model", "Method")}
    titles: dict[str, list[str]] = defaultdict(list)
    for paper in inc.papers_of(source):
        title = _title(G, paper)
        for col in kept.intersection(inc.cols_of(paper).tolist()):
            titles[inc.entities[col]].append(title)
    rows = [(e, G.nodes[e]["label"], G.nodes[e]["type"], sorted(t, key=str.casefold))
            for e, t in titles.items()]
    rows.sort(key=lambda row: (-len(row[3]), row[1].casefold(), row[0]))
    return rows
