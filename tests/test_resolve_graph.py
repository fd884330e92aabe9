import networkx as nx

import kg
from kg.graph import FAMILY, MENTIONS, SHARES, read_node_link
from kg.model import EntityType, Role
from kg.resolve import resolve


def entity_by_name(built: kg.KnowledgeGraph, name: str):
    return next(e for e in built.entities.values() if e.name == name)


def test_surface_variants_share_one_entity(mini_build):
    cot = entity_by_name(mini_build, "Chain-of-Thought")
    assert "CoT" in cot.aliases
    lora = entity_by_name(mini_build, "LoRA")
    assert "Low-Rank Adaptation" in lora.aliases


def test_size_variant_links_to_its_family_and_the_family_to_its_root(mini_build):
    variant = mini_build.entities["llama-2-7b"]
    assert variant.type is EntityType.MODEL and variant.papers == 2
    family = mini_build.entities[variant.family]
    assert family.name == "Llama 2"
    assert family.family and mini_build.entities[family.family].name == "LLaMA"


def test_role_per_paper(mini_build):
    graph = mini_build.graph
    quill = next(n for n, d in graph.nodes(data=True) if d.get("title", "").startswith("QuillNet"))
    roles = {graph.nodes[e]["label"]: d["role"] for _, e, d in graph.edges(quill, data=True)
             if d["kind"] == MENTIONS}
    assert roles["QuillNet"] == Role.INTRODUCED.value
    assert roles["GSM8K"] == roles["LoRA"] == Role.USED.value


def test_graph_shape_and_attributes(mini_build):
    graph = mini_build.graph
    kinds = nx.get_node_attributes(graph, "kind")
    assert sum(k == "paper" for k in kinds.values()) == 5
    for node, data in graph.nodes(data=True):
        assert node.startswith(f"{data['kind']}:") and data["label"]
        if data["kind"] == "entity":
            assert data["type"] in {t.value for t in EntityType}
            assert isinstance(data["aliases"], list) and data["papers"] >= 0
        else:
            assert {"title", "date", "listings"} <= set(data)
    for a, b, data in graph.edges(data=True):
        assert data["kind"] in {MENTIONS, FAMILY, SHARES}
        if data["kind"] == MENTIONS:
            assert data["role"] in {"introduced", "used"} and data["count"] >= 1
        if data["kind"] == SHARES:
            assert a.startswith("paper:") and b.startswith("paper:") and data["weight"] > 0


def test_papers_sharing_entities_are_linked(mini_build):
    graph = mini_build.graph
    by_title = {d["title"]: n for n, d in graph.nodes(data=True) if d["kind"] == "paper"}
    quill = by_title["QuillNet: Sparse Adapters for Fast Math Reasoning"]
    grade = by_title["Grade-School Math Without Tears"]
    assert graph[quill][grade]["kind"] == SHARES
    assert "gsm8k" in graph[quill][grade]["shared"]


def test_node_link_json_round_trips(mini_build):
    again = read_node_link(mini_build.directory / "graph.json")
    assert nx.utils.graphs_equal(again, mini_build.graph)


def test_load_reads_a_build_back_without_extracting(mini_build):
    loaded = kg.load(mini_build.directory)
    assert nx.utils.graphs_equal(loaded.graph, mini_build.graph)
    assert {p.key for p in loaded.papers} == {p.key for p in mini_build.papers}
    assert loaded.entities.keys() == mini_build.entities.keys()
    assert len(loaded.mentions) == len(mini_build.mentions)


def test_resolve_is_deterministic(mini_build):
    from kg.extract import extract
    from kg.ingest import ingest

    from .conftest import MINI
    papers = ingest([MINI]).papers
    first = resolve(extract(papers))
    second = resolve(extract(papers))
    assert first.entities == second.entities
