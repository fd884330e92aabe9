"""kg.measures: the incidence matrix kept with a graph, PageRank as networkx computes it,
Louvain communities (all links, or the strongest when there are too many), and the
measures a build stores on the nodes, read only while they still hold."""

from __future__ import annotations

import networkx as nx
import pytest

from kg import analytics, measures
from kg import graph as graph_io
from tests.test_analytics import hand_built_graph


def networkx_pagerank(G: nx.Graph) -> dict[str, float]:
    return nx.pagerank(analytics.mentions_graph(G), weight=None)


def test_pagerank_is_networkx_pagerank_on_the_hand_built_graph():
    G = hand_built_graph()
    expected = networkx_pagerank(G)
    assert measures.pagerank(G) == pytest.approx(expected, abs=1e-12)
    assert set(measures.pagerank(G)) == set(G)


def test_pagerank_is_networkx_pagerank_on_a_build(mini_build):
    G = mini_build.graph
    assert measures.pagerank(G) == pytest.approx(networkx_pagerank(G), abs=1e-12)


def test_graph_size_counts_nodes_and_edges_as_networkx_does():
    G = hand_built_graph()
    assert measures.graph_size(G) == (14, 20)
    G.add_edge("entity:covost-2", "entity:covost-2", kind="family")   # a self-loop
    assert measures.graph_size(G) == (G.number_of_nodes(), G.number_of_edges()) == (15, 21)


def test_incidence_is_kept_until_the_graph_changes_size():
    G = hand_built_graph()
    first = measures.incidence(G)
    assert measures.incidence(G) is first
    assert first.papers_of("entity:lora") == ["paper:p2", "paper:p4", "paper:p5"]
    assert first.entities_of("paper:p3") == ["entity:gpt-2", "entity:squad"]
    # columns in id order: bert, glue, gpt-2, gsm8k, llama, llama-7b, lora, squad
    assert first.entity_degrees.tolist() == [2, 2, 1, 2, 0, 2, 3, 2]
    G.add_edge("paper:p6", "entity:llama", kind="mentions", role="used", count=1)
    second = measures.incidence(G)
    assert second is not first and second.papers_of("entity:llama") == ["paper:p6"]


def test_communities_from_the_strongest_links_only():
    # 9 co-occurrence links, 4 of weight 2: BERT-GLUE and the three among LoRA, GSM8K and
    # LLaMA-7B. With at most 4 links Louvain sees those; SQuAD then joins BERT and GLUE
    # (one paper with each), GPT-2 (linked to SQuAD only, itself left out) stays alone.
    # Ids: by size, then by the most mentioned member (LoRA, 3 papers, before BERT, 2);
    # p3 (GPT-2 and SQuAD) ties one vote each and joins the larger community.
    ids = measures.community_ids(hand_built_graph(), max_edges=4)
    assert ids == {
        "entity:lora": 0, "entity:gsm8k": 0, "entity:llama-7b": 0,
        "entity:bert": 1, "entity:glue": 1, "entity:squad": 1, "entity:gpt-2": 2,
        "paper:p4": 0, "paper:p5": 0, "paper:p1": 1, "paper:p2": 1, "paper:p3": 1,
    }
    # with room for every link: the communities of tests/test_analytics.py
    assert measures.community_ids(hand_built_graph()) == {
        "entity:bert": 0, "entity:glue": 0, "entity:squad": 0, "entity:gpt-2": 0,
        "entity:lora": 1, "entity:gsm8k": 1, "entity:llama-7b": 1,
        "paper:p1": 0, "paper:p2": 0, "paper:p3": 0, "paper:p4": 1, "paper:p5": 1,
    }
    assert measures.community_ids(nx.Graph()) == {}


def test_a_build_stores_the_measures_that_analytics_reads(mini_build):
    G = mini_build.graph
    assert measures.is_measured(G)
    assert G.graph["measured"] == [G.number_of_nodes(), G.number_of_edges()]
    assert {n: d["pagerank"] for n, d in G.nodes(data=True)} == pytest.approx(
        networkx_pagerank(G), abs=1e-12)
    computed = measures.community_ids(G)
    assert {n: c for n, c in G.nodes(data="community") if c >= 0} == computed
    assert {n for n, c in G.nodes(data="community") if c < 0} == {
        n for n in G if n not in computed}
    # read back from graph.json: the same answers as the graph in memory
    loaded = graph_io.read_node_link(mini_build.directory / "graph.json")
    assert measures.is_measured(loaded)
    assert analytics.communities(loaded) == analytics.communities(G)
    assert analytics.top_entities(loaded, by="pagerank") == analytics.top_entities(
        G, by="pagerank")


def test_stored_measures_are_read_only_while_they_hold():
    G = hand_built_graph()
    measures.store_measures(G)
    # tampered values are read back: proof that the stored values are what answers
    nx.set_node_attributes(G, 0, "community")
    nx.set_node_attributes(G, {n: (1.0 if n == "entity:gpt-2" else 0.0) for n in G},
                           "pagerank")
    assert [c["entities"] for c in analytics.communities(G)] == [[
        "entity:lora", "entity:bert", "entity:glue", "entity:gsm8k", "entity:llama-7b",
        "entity:squad", "entity:gpt-2", "entity:llama"]]
    assert analytics.top_entities(G, by="pagerank", k=1)[0][0] == "entity:gpt-2"
    # another seed is computed, not read
    assert len(analytics.communities(G, seed=1)) == 2
    # once the graph changes size the stored values no longer answer
    G.add_node("paper:p7", kind="paper", label="Later", title="Later", date="", listings=[])
    assert not measures.is_measured(G)
    assert [c["label"] for c in analytics.communities(G)] == ["BERT, GLUE, SQuAD, ...",
                                                              "LoRA, GSM8K, LLaMA-7B"]
    assert analytics.top_entities(G, by="pagerank", k=1)[0][0] == "entity:lora"
