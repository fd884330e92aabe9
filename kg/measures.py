"""Whole-graph data of the paper-entity part: its incidence matrix, PageRank, communities.

In: the networkx graph of a build (kg.graph): paper and entity nodes and the edges between
a paper and an entity (kg.graph's `mentions` edges; `family` links join two entities and
`shares` links two papers, and both are left aside). Out: `incidence` (a sparse paper x
entity matrix, kept with the graph until it changes size), `pagerank` (node -> score) and
`community_ids` (node -> community number); `store_measures` keeps the last two on the
nodes (`pagerank` on every node, `community`, -1 for none) and marks the graph with its
size in `G.graph["measured"]`, so a reader can tell whether they still hold.

At 100,000 papers (1.6 million edges) a networkx view or copy of the graph costs seconds
per pass, a pass over the incidence matrix (numpy/scipy) milliseconds; reading the
adjacency once to make the matrix costs 2 to 3 s. PageRank and Louvain cost seconds more,
so the build computes them once (kg.graph.build_graph calls `store_measures`) and
kg.analytics reads them while the graph keeps the size it was measured at (`is_measured`),
computing them otherwise.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import networkx as nx
import numpy as np
import scipy.sparse as sp

T = TypeVar("T")
LOUVAIN_SEED = 0       # the seed of the stored communities
LOUVAIN_MAX_EDGES = 50_000


@dataclass
class Incidence:
    """The paper-entity part as a matrix: rows `papers`, columns `entities` (sorted ids)."""

    papers: list[str]
    entities: list[str]
    matrix: sp.csr_array  # 1 where the paper mentions the entity: rows give a paper's entities

    @cached_property
    def by_entity(self) -> sp.csc_array:
        """The same matrix by columns: an entity's papers."""
        return self.matrix.tocsc()

    @cached_property
    def row_of(self) -> dict[str, int]:
        return {paper: row for row, paper in enumerate(self.papers)}

    @cached_property
    def col_of(self) -> dict[str, int]:
        return {entity: col for col, entity in enumerate(self.entities)}

    @cached_property
    def entity_degrees(self) -> np.ndarray:
        """Papers per entity, in column order."""
        return np.diff(self.by_entity.indptr)

    def cols_of(self, paper: str) -> np.ndarray:
        """A paper's entities (columns), ascending."""
        row = self.row_of[paper]
        return self.matrix.indices[self.matrix.indptr[row]:self.matrix.indptr[row + 1]]

    def rows_of(self, entity: str) -> np.ndarray:
        """An entity's papers (rows), ascending."""
        col = self.col_of[entity]
        return self.by_entity.indices[self.by_entity.indptr[col]:self.by_entity.indptr[col + 1]]

    def entities_of(self, paper: str) -> list[str]:
        return [self.entities[col] for col in self.cols_of(paper).tolist()]

    def papers_of(self, entity: str) -> list[str]:
        return [self.papers[row] for row in self.rows_of(entity).tolist()]


_CACHE: weakref.WeakKeyDictionary[nx.Graph, tuple[tuple[int, int], dict]] = (
    weakref.WeakKeyDictionary())


def cached(G: nx.Graph, name: str, compute: Callable[[nx.Graph], T]) -> T:
    """`compute(G)`, kept with G until G's number of nodes or edges changes (a graph whose
    attributes change in place keeps the stale value: rebuild the graph instead)."""
    size = graph_size(G)
    known = _CACHE.get(G)
    if known is None or known[0] != size:
        known = _CACHE[G] = (size, {})
    if name not in known[1]:
        known[1][name] = compute(G)
    return known[1][name]


def graph_size(G: nx.Graph) -> tuple[int, int]:
    """(number of nodes, number of edges), counted on the adjacency dicts: networkx's
    `number_of_edges` walks a degree view, 0.25 s at 100,000 papers, and every question
    checks the size."""
    adjacency = G._adj
    ends = sum(map(len, adjacency.values()))           # an edge twice, a self-loop once
    loops = sum(1 for node, links in adjacency.items() if node in links)
    return len(adjacency), (ends + loops) // 2


def incidence(G: nx.Graph) -> Incidence:
    """The incidence matrix of G's paper-entity edges (kept with G, see `cached`)."""
    return cached(G, "incidence", _incidence)


def _incidence(G: nx.Graph) -> Incidence:
    """Read from the entities' adjacency dicts: an entity's neighbours are its papers and a
    few family entities (a paper's include ~10 `shares` links)."""
    papers = sorted(n for n, kind in G.nodes(data="kind") if kind == "paper")
    entities = sorted(n for n, kind in G.nodes(data="kind") if kind == "entity")
    inc = Incidence(papers, entities, sp.csr_array((len(papers), len(entities))))
    row_of = inc.row_of
    rows: list[int] = []
    cols: list[int] = []
    adjacency = G._adj  # neighbour ids only: reading each edge's data costs several times more
    for col, entity in enumerate(entities):
        found = [row_of[n] for n in adjacency[entity] if n in row_of]
        rows.extend(found)
        cols.extend([col] * len(found))
    inc.matrix = sp.csr_array((np.ones(len(rows)), (np.array(rows, dtype=np.int64),
                                                    np.array(cols, dtype=np.int64))),
                              shape=(len(papers), len(entities)))
    inc.matrix.sort_indices()
    return inc


def pagerank(G: nx.Graph, alpha: float = 0.85, max_iter: int = 100,
             tol: float = 1.0e-6) -> dict[str, float]:
    """PageRank of every node on the unweighted paper-entity part: the same power iteration
    as networkx's `pagerank(mentions_graph(G), weight=None)` (uniform teleport, dangling
    nodes spread uniformly, L1 stop at N * tol), run on the two blocks of the bipartite
    adjacency matrix instead of a matrix built from a networkx view."""
    inc = incidence(G)
    M = inc.matrix
    n_papers, n_entities = M.shape
    total = n_papers + n_entities
    if total == 0:
        return {}
    degree = np.concatenate([np.asarray(M.sum(axis=1)).ravel(), inc.entity_degrees])
    inverse = np.zeros(total)
    inverse[degree != 0] = 1.0 / degree[degree != 0]
    dangling = np.where(degree == 0)[0]
    teleport = np.repeat(1.0 / total, total)
    x = teleport.copy()
    for _ in range(max_iter):
        previous = x
        spread = x * inverse
        # x @ A for A = [[0, M], [M.T, 0]]: papers receive from entities and back
        step = np.concatenate([M @ spread[n_papers:], M.T @ spread[:n_papers]])
        x = alpha * (step + sum(x[dangling]) * teleport) + (1 - alpha) * teleport
        if np.absolute(x - previous).sum() < total * tol:
            return dict(zip(inc.papers + inc.entities, map(float, x), strict=True))
    raise nx.PowerIterationFailedConvergence(max_iter)


def community_ids(G: nx.Graph, seed: int = LOUVAIN_SEED,
                  max_edges: int = LOUVAIN_MAX_EDGES) -> dict[str, int]:
    """Each mentioned entity's and each paper's community: 0 is the largest.

    Louvain (networkx, `seed`) on the entity co-occurrence projection weighted by shared
    papers, its nodes and edges in sorted order (the same graph gives the same answer
    however it was built). A projection of more than `max_edges` edges keeps only its
    strongest ones for Louvain (weight >= w, the smallest w that fits: Louvain on all
    1.5 million links of a 100,000-paper graph takes 73 s); every entity left out then
    joins the community it shares most papers with (ties: the one Louvain listed first),
    or stays alone. Communities are numbered by size, then by their most
    mentioned entity; a paper joins the community of most of its entities (ties: the
    larger), a paper without entities none.
    """
    inc = incidence(G)
    degrees = inc.entity_degrees
    groups = _louvain_groups(inc, degrees, seed, max_edges)
    papers_of = degrees.tolist()

    def popularity(col: int) -> tuple[int, str, str]:
        entity = inc.entities[col]
        return (-papers_of[col], G.nodes[entity]["label"].casefold(), entity)

    ranked = [sorted(group, key=popularity) for group in groups]
    ranked.sort(key=lambda members: (-len(members), popularity(members[0])))
    rank = np.full(len(inc.entities), -1)
    for number, members in enumerate(ranked):
        rank[members] = number
    ids = {inc.entities[col]: int(rank[col]) for col in np.flatnonzero(rank >= 0)}
    if ranked:
        votes = inc.matrix @ _one_hot(rank, len(ranked))
        for row, number in _strongest(votes).items():
            ids[inc.papers[row]] = number
    return ids


def _louvain_groups(inc: Incidence, degrees: np.ndarray, seed: int,
                    max_edges: int) -> list[list[int]]:
    """Entity columns in groups: Louvain on the (strongest part of the) projection, then
    the left-out entities by their strongest tie to a group, or alone."""
    mentioned = np.flatnonzero(degrees)
    if not len(mentioned):
        return []
    shared = sp.triu(inc.matrix.T @ inc.matrix, k=1).tocoo()
    weights = shared.data.astype(np.int64)
    least = _least_weight(weights, max_edges)
    strong = weights >= least
    order = np.lexsort((shared.col[strong], shared.row[strong]))
    first, second = shared.row[strong][order], shared.col[strong][order]
    core = mentioned if least == 1 else np.unique(np.concatenate([first, second]))
    projection = nx.Graph()
    projection.add_nodes_from(core.tolist())
    projection.add_weighted_edges_from(zip(first.tolist(), second.tolist(),
                                           weights[strong][order].tolist(), strict=True))
    groups = [sorted(group) for group in
              nx.community.louvain_communities(projection, weight="weight", seed=seed)]
    group_of = np.full(len(degrees), -1)
    for number, members in enumerate(groups):
        group_of[members] = number
    left_out = np.setdiff1d(mentioned, core)
    if len(left_out):
        symmetric = (shared + shared.T).tocsr()[left_out]
        ties = _strongest(symmetric @ _one_hot(group_of, len(groups)))
        for row, col in enumerate(left_out.tolist()):
            if row in ties:
                groups[ties[row]].append(col)
            else:
                groups.append([col])
    return groups


def _least_weight(weights: np.ndarray, max_edges: int) -> int:
    """The smallest weight w >= 1 such that at most `max_edges` edges weigh w or more."""
    if len(weights) <= max_edges:
        return 1
    at_least = np.cumsum(np.bincount(weights)[::-1])[::-1]  # edges weighing >= w, per w
    fitting = np.flatnonzero(at_least <= max_edges)
    return int(fitting[0]) if len(fitting) else len(at_least)


def _one_hot(labels: np.ndarray, count: int) -> sp.csr_array:
    """A (len(labels) x count) 0/1 matrix with a 1 at (i, labels[i]); -1 means no column."""
    rows = np.flatnonzero(labels >= 0)
    return sp.csr_array((np.ones(len(rows)), (rows, labels[rows])),
                        shape=(len(labels), max(count, 1)))


def _strongest(scores: sp.sparray) -> dict[int, int]:
    """Row -> the column of its highest score (ties: the lowest column); rows of zeros out."""
    found = scores.tocoo()
    keep = found.data > 0
    rows, cols, values = found.row[keep], found.col[keep], found.data[keep]
    order = np.lexsort((cols, -values, rows))
    rows, cols = rows[order], cols[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = rows[1:] != rows[:-1]
    return dict(zip(rows[first].tolist(), cols[first].tolist(), strict=True))


def is_measured(G: nx.Graph) -> bool:
    """Whether G's stored `pagerank` and `community` still hold: same nodes and edges count."""
    return G.graph.get("measured") == list(graph_size(G))


def store_measures(G: nx.Graph) -> None:
    """Compute PageRank and communities (seed `LOUVAIN_SEED`) and keep them on the nodes."""
    ranks = pagerank(G)
    ids = community_ids(G, LOUVAIN_SEED)
    for node, data in G.nodes(data=True):
        data["pagerank"] = ranks[node]
        data["community"] = ids.get(node, -1)
    G.graph["measured"] = list(graph_size(G))
