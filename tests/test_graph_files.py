"""graph.graphml and graph.json, streamed by kg.graph, read back as the graph they hold."""

import networkx as nx

from kg.graph import read_node_link, write_graphml, write_node_link


def awkward_graph(mini_build) -> nx.Graph:
    graph = mini_build.graph.copy()
    graph.add_node("paper:<&\"x'>", kind="paper", label='a & b <c> "d"\x01',
                   listings=["one", "two"], date="")
    graph.add_edge("paper:<&\"x'>", next(iter(graph)), kind="shares", weight=0.25,
                   shared=["a&b", "c"])
    return graph


def test_graphml_reads_back_with_lists_joined_and_control_characters_dropped(mini_build,
                                                                            tmp_path):
    graph = awkward_graph(mini_build)
    write_graphml(graph, tmp_path / "g.graphml")
    again = nx.read_graphml(tmp_path / "g.graphml")
    joined = {node: {k: "; ".join(v) if isinstance(v, list) else v for k, v in data.items()}
              for node, data in graph.nodes(data=True)}
    joined["paper:<&\"x'>"]["label"] = 'a & b <c> "d"'
    assert dict(again.nodes(data=True)) == joined
    assert again.edges["paper:<&\"x'>", next(iter(graph))] == {
        "kind": "shares", "weight": 0.25, "shared": "a&b; c"}
    assert again.number_of_edges() == graph.number_of_edges()


def test_node_link_json_is_what_networkx_writes(mini_build, tmp_path):
    graph = awkward_graph(mini_build)
    write_node_link(graph, tmp_path / "g.json")
    again = read_node_link(tmp_path / "g.json")
    assert dict(again.nodes(data=True)) == dict(graph.nodes(data=True))
    assert {frozenset(e[:2]): e[2] for e in again.edges(data=True)} == {
        frozenset(e[:2]): e[2] for e in graph.edges(data=True)}
