"""Analytics over a built graph: plain functions in, plain data out.

In: the networkx graph of a build (`kg.load(DIR).graph`, made by kg.graph): paper nodes
"paper:<key>" and entity nodes "entity:<key>", `mentions` edges between them (with `role`),
`family` edges from a variant to its family and the `shares` paper-paper projection.
Out: lists, dicts and tuples of str, int and float, ready for a table, JSON or a test.

A paper is named by its node id or its title, an entity by its node id, key, name or alias
(case-insensitive); an unknown name raises `UnknownNode` (a KeyError), an ambiguous one a
ValueError. The functions read the bipartite paper-entity part (`mentions_graph`) and
leave the stored `shares` links aside; they use networkx's own algorithms (bipartite
projections, PageRank, Louvain, shortest paths).

Dates are written as the inputs give them: ISO ("2026-10-03") or a Daily Papers date line
("Aug 12", no year). `date_key` orders them: date lines (by month and day) before ISO dates,
undated last; a paper's date is the earliest of its own date and its listings' dates.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from itertools import pairwise

import networkx as nx
from networkx.algorithms import bipartite

from kg.graph import FAMILY, MENTIONS
from kg.model import EntityType

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


def _canonical(G: nx.Graph) -> nx.Graph:
    """A copy with nodes and edges in sorted order: order-sensitive algorithms (Louvain,
    breadth-first search) then answer the same for the same graph, however it was built."""
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    H.add_edges_from(sorted(((min(u, v), max(u, v), d) for u, v, d in G.edges(data=True)),
                            key=lambda edge: edge[:2]))
    return H


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
    wanted = ref.strip().casefold()
    entities = [(n, G.nodes[n]) for n in _nodes(G, "entity")]
    tiers = (
        [n for n, d in entities if d.get("label", "") == ref.strip()],
        [n for n, d in entities if d.get("label", "").casefold() == wanted],
        [n for n, d in entities if ref.strip() in d.get("aliases", [])],
        [n for n, d in entities if wanted in {a.casefold() for a in d.get("aliases", [])}],
    )
    for hits in tiers:
        found = _unique(hits, "entity", ref)
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


def _idf(B: nx.Graph, entity: str, total: int) -> float:
    return math.log(total / B.degree(entity))


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
    B = mentions_graph(G)
    total = len(_nodes(G, "paper"))
    idf = {e: _idf(B, e, total) for e in B[source]}

    def shared_idf(graph: nx.Graph, u: str, v: str) -> float:
        return sum(idf[e] for e in set(graph[u]) & set(graph[v]))

    projection = bipartite.generic_weighted_projected_graph(B, [source], shared_idf)
    rows = []
    for other, data in projection[source].items():
        shared = sorted(set(B[source]) & set(B[other]),
                        key=lambda e: (-idf[e], G.nodes[e]["label"].casefold()))
        rows.append((other, round(data["weight"], 4), [G.nodes[e]["label"] for e in shared]))
    rows.sort(key=lambda row: (-row[1], _title(G, row[0]).casefold(), row[0]))
    return rows[:k]


def top_entities(G: nx.Graph, type: str | None = None, by: str = "papers",
                 k: int = 10) -> list[tuple[str, str, str, int | float]]:
    """The leading entities: [(entity_id, label, type, value)], highest value first.

    `by="papers"` counts the papers that mention an entity; `by="pagerank"` is PageRank on
    the paper-entity part, unweighted (shown to 4 significant digits). `type` keeps one type
    (Model, Dataset, Benchmark or Method, any case).

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
    B = mentions_graph(G)
    value = nx.pagerank(B, weight=None) if by == "pagerank" else dict(B.degree())
    chosen = [n for n in _nodes(G, "entity") if wanted is None or G.nodes[n]["type"] == wanted]
    chosen.sort(key=lambda n: (-round(value[n], 12), G.nodes[n]["label"].casefold(), n))
    show = (lambda v: float(f"{v:.4g}")) if by == "pagerank" else int
    return [(n, G.nodes[n]["label"], G.nodes[n]["type"], show(value[n])) for n in chosen[:k]]


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
    projection = bipartite.weighted_projected_graph(mentions_graph(G), [source])
    rows = [(n, G.nodes[n]["label"], data["weight"]) for n, data in projection[source].items()]
    rows.sort(key=lambda row: (-row[2], row[1].casefold(), row[0]))
    return rows[:k]


def communities(G: nx.Graph, seed: int = 0) -> list[dict]:
    """Groups of entities that appear together, largest first.

    Louvain (with `seed`) on the entity co-occurrence projection, weighted by shared papers;
    each paper joins the community of most of its entities (ties: the larger community).
    Each community: {"id", "label" (its three most mentioned entities), "entities" (ids,
    most mentioned first), "papers" (ids, sorted)}.

    >>> G = nx.Graph()
    >>> G.add_nodes_from(["paper:a", "paper:b"], kind="paper")
    >>> G.add_nodes_from(["entity:bert", "entity:glue", "entity:gsm8k"], kind="entity")
    >>> nx.set_node_attributes(G, {n: n.split(":")[1].upper() for n in G}, "label")
    >>> G.add_edges_from([("paper:a", "entity:bert"), ("paper:a", "entity:glue"),
    ...                   ("paper:b", "entity:gsm8k")], kind="mentions", role="used")
    >>> [(c["id"], c["label"], c["papers"]) for c in communities(G)]
    [(0, 'BERT, GLUE', ['paper:a']), (1, 'GSM8K', ['paper:b'])]
    """
    B = mentions_graph(G)
    mentioned = [n for n in _nodes(G, "entity") if B.degree(n)]
    if not mentioned:
        return []
    projection = _canonical(bipartite.weighted_projected_graph(B, mentioned))
    groups = nx.community.louvain_communities(projection, weight="weight", seed=seed)

    def popularity(n: str) -> tuple[int, str, str]:
        return (-B.degree(n), G.nodes[n]["label"].casefold(), n)

    ranked = [sorted(group, key=popularity) for group in groups]
    ranked.sort(key=lambda members: (-len(members), popularity(members[0])))
    index = {n: i for i, members in enumerate(ranked) for n in members}
    papers: dict[int, list[str]] = defaultdict(list)
    for paper in _nodes(G, "paper"):
        votes = Counter(index[e] for e in B[paper])
        if votes:
            papers[min(votes, key=lambda i: (-votes[i], i))].append(paper)
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
    links = _canonical(nx.subgraph_view(
        G, filter_edge=lambda u, v: G.edges[u, v].get("kind") in (MENTIONS, FAMILY)))
    try:
        nodes = nx.shortest_path(links, source, target)
    except nx.NetworkXNoPath:
        raise nx.NetworkXNoPath(f"no path between {G.nodes[source]['label']!r} and "
                                f"{G.nodes[target]['label']!r} through mentions or "
                                "families") from None
    return [_step(G, u, v) for u, v in pairwise(nodes)]


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
    rows = [(first_date(G, p), p, _title(G, p)) for p in mentions_graph(G)[source]]
    rows.sort(key=lambda row: (date_key(row[0]), row[2].casefold(), row[1]))
    return rows


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
    B = mentions_graph(G)
    return {e: min((first_date(G, p) for p in B[e]), key=date_key)
            for e in _nodes(G, "entity") if B.degree(e)}


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
    B = mentions_graph(G)
    titles: dict[str, list[str]] = defaultdict(list)
    for paper in B[source]:
        for entity in B[paper]:
            if entity != source and G.nodes[entity]["type"] in ("Model", "Method"):
                titles[entity].append(_title(G, paper))
    rows = [(e, G.nodes[e]["label"], G.nodes[e]["type"], sorted(t, key=str.casefold))
            for e, t in titles.items()]
    rows.sort(key=lambda row: (-len(row[3]), row[1].casefold(), row[0]))
    return rows
