"""kg.graph.add_paper_links: each paper keeps its strongest links to the papers it shares
entities with, weighted by the entities' rarity; ties go to the smaller node id."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest

from kg.graph import SHARES, add_paper_links


def bipartite(holders: dict[str, list[str]], papers: list[str]) -> nx.Graph:
    """Papers and entities ('paper:<p>', 'entity:<e>'), each entity linked to its holders."""
    graph = nx.Graph()
    graph.add_nodes_from((f"paper:{p}" for p in papers), kind="paper")
    for entity, held_by in holders.items():
        graph.add_node(f"entity:{entity}", kind="entity")
        graph.add_edges_from((f"paper:{p}", f"entity:{entity}") for p in held_by)
    return graph


def links(graph: nx.Graph) -> dict[tuple[str, str], tuple[float, list[str]]]:
    return {tuple(sorted((a, b))): (data["weight"], data["shared"])
            for a, b, data in graph.edges(data=True) if data.get("kind") == SHARES}


def test_ties_go_to_the_smaller_id_and_every_choice_is_a_link():
    # three papers hold one entity: each keeps one link, to the smallest other id
    graph = bipartite({"e": ["c", "a", "b"]}, ["c", "a", "b"])
    add_paper_links(graph, neighbours=1, max_holders=10)
    assert links(graph) == {("paper:a", "paper:b"): (1.0, ["e"]),
                            ("paper:a", "paper:c"): (1.0, ["e"])}


def test_rarer_shared_entities_weigh_more_and_popular_ones_are_left_out():
    holders = {"a": ["p1", "p2"], "b": ["p1", "p2", "p3"], "c": ["p3", "p4"],
               "everywhere": ["p1", "p2", "p3", "p4", "p5"]}
    graph = bipartite(holders, ["p1", "p2", "p3", "p4", "p5"])
    add_paper_links(graph, neighbours=1, max_holders=4)
    rare, common = math.log(5 / 2) + 1, math.log(5 / 3) + 1
    # p3 shares b with p1 and p2 but the rarer c with p4; p5 holds only the popular entity
    assert links(graph) == {("paper:p1", "paper:p2"): (round(rare + common, 4), ["a", "b"]),
                            ("paper:p3", "paper:p4"): (round(rare, 4), ["c"])}


def plain_links(holders: dict[str, list[str]], papers: list[str], neighbours: int,
                max_holders: int) -> dict[tuple[str, str], tuple[float, list[str]]]:
    """The rule read plainly: score every pair, keep each paper's best, ties by id."""
    idf = {e: math.log(len(papers) / len(h)) + 1 for e, h in holders.items()
           if len(h) <= max_holders}
    held = {p: {e for e in idf if p in holders[e]} for p in papers}
    chosen = {}
    for paper in papers:
        scores = {other: math.fsum(idf[e] for e in held[paper] & held[other])
                  for other in papers if other != paper and held[paper] & held[other]}
        for other in sorted(scores, key=lambda o: (-scores[o], o))[:neighbours]:
            pair = tuple(sorted((f"paper:{paper}", f"paper:{other}")))
            chosen[pair] = (round(scores[other], 4), sorted(held[paper] & held[other]))
    return chosen


@pytest.mark.parametrize("seed", range(5))
def test_links_are_those_of_the_plain_reading_of_the_rule(seed):
    # Each entity has its own number of holders, a prime: two scores are then equal only
    # when the pairs share the same entities, so the order of the scores is clear-cut.
    rng = random.Random(seed)
    papers = [f"{rng.randrange(10**6):06d}" for _ in range(60)]
    counts = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43]
    holders = {f"e{count}": rng.sample(papers, count) for count in counts}
    graph = bipartite(holders, papers)
    add_paper_links(graph, neighbours=3, max_holders=40, rows_per_chunk=7)
    found = links(graph)
    expected = plain_links(holders, papers, neighbours=3, max_holders=40)
    assert found.keys() == expected.keys()
    for pair, (weight, shared) in expected.items():
        assert found[pair][1] == shared
        assert found[pair][0] == pytest.approx(weight, abs=1e-4)
