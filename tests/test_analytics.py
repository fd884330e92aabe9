"""kg.analytics on a hand-built graph (answers worked out by hand), on the mini corpus and
on the bundled sample (the README's Python session)."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg import analytics
from kg.analytics import (
    UnknownNode,
    benchmark_table,
    communities,
    cooccurring,
    new_entities,
    path,
    similar_papers,
    timeline,
    top_entities,
)

# The hand-built graph: 6 papers, 8 entities (LLaMA-7B is a variant of LLaMA), shares links
# as a build would add them. Who mentions what (* = introduced):
#
#   p1 Tiny BERT Tricks      2024-03-01           BERT, GLUE, SQuAD
#   p2 Low-Rank BERT         2024-01-15           BERT, GLUE, LoRA*
#   p3 GPT-2 Reads           2023-12-20           GPT-2*, SQuAD
#   p4 Math with LLaMA       listed Mar 12, Mar 9 LLaMA-7B, GSM8K, LoRA
#   p5 Prompted Arithmetic   undated              LLaMA-7B, GSM8K*, LoRA
#   p6 An Unrelated Survey   undated              (nothing)
#
# Papers per entity: LoRA 3; BERT, GLUE, SQuAD, LLaMA-7B, GSM8K 2; GPT-2 1; LLaMA 0.
# IDF with 6 papers: log(6/3) = log 2 = 0.6931 (LoRA), log(6/2) = log 3 = 1.0986 (the rest).

PAPERS = {
    "p1": ("Tiny BERT Tricks", "2024-03-01", ["p.jsonl:1"]),
    "p2": ("Low-Rank BERT", "2024-01-15", ["p.jsonl:2"]),
    "p3": ("GPT-2 Reads", "2023-12-20", ["p.jsonl:3"]),
    "p4": ("Math with LLaMA", "", ["a.txt:9 (Mar 12)", "c.txt:4 (Mar 9)"]),
    "p5": ("Prompted Arithmetic", "", ["b.txt:3"]),
    "p6": ("An Unrelated Survey", "", []),
}
ENTITIES = {  # key: (label, type, aliases, family, papers)
    "bert": ("BERT", "Model", [], "", 2),
    "gpt-2": ("GPT-2", "Model", [], "", 1),
    "llama-7b": ("LLaMA-7B", "Model", ["LLaMA 7B"], "llama", 2),
    "llama": ("LLaMA", "Model", [], "", 0),
    "glue": ("GLUE", "Benchmark", [], "", 2),
    "gsm8k": ("GSM8K", "Benchmark", ["Grade School Math 8K"], "", 2),
    "squad": ("SQuAD", "Dataset", [], "", 2),
    "lora": ("LoRA", "Method", ["Low-Rank Adaptation"], "", 3),
}
MENTIONS = [
    ("p1", "bert", "used"), ("p1", "glue", "used"), ("p1", "squad", "used"),
    ("p2", "bert", "used"), ("p2", "glue", "used"), ("p2", "lora", "introduced"),
    ("p3", "gpt-2", "introduced"), ("p3", "squad", "used"),
    ("p4", "llama-7b", "used"), ("p4", "gsm8k", "used"), ("p4", "lora", "used"),
    ("p5", "llama-7b", "used"), ("p5", "gsm8k", "introduced"), ("p5", "lora", "used"),
]
SHARES = [("p1", "p2", ["bert", "glue"]), ("p1", "p3", ["squad"]), ("p2", "p4", ["lora"]),
          ("p2", "p5", ["lora"]), ("p4", "p5", ["gsm8k", "llama-7b", "lora"])]
LOG2, LOG3 = round(math.log(2), 4), round(math.log(3), 4)


def hand_built_graph() -> nx.Graph:
    """The graph drawn above, as a build lays it out (without the build's stored measures)."""
    graph = nx.Graph()
    for key, (title, date, listings) in PAPERS.items():
        graph.add_node(f"paper:{key}", kind="paper", label=title, title=title, date=date,
                       listings=listings)
    for key, (label, type_, aliases, family, papers) in ENTITIES.items():
        graph.add_node(f"entity:{key}", kind="entity", label=label, type=type_,
                       aliases=aliases, family=family, papers=papers)
    graph.add_edge("entity:llama-7b", "entity:llama", kind="family")
    for paper, entity, role in MENTIONS:
        graph.add_edge(f"paper:{paper}", f"entity:{entity}", kind="mentions", role=role,
                       count=1)
    for a, b, shared in SHARES:
        graph.add_edge(f"paper:{a}", f"paper:{b}", kind="shares", weight=1.0, shared=shared)
    return graph


@pytest.fixture(scope="module")
def G() -> nx.Graph:
    return hand_built_graph()


# -- similar_papers ------------------------------------------------------------------------


def test_similar_papers_weights_shared_entities_by_rarity(G):
    assert similar_papers(G, "paper:p1") == [
        ("paper:p2", round(2 * math.log(3), 4), ["BERT", "GLUE"]),   # 2.1972
        ("paper:p3", LOG3, ["SQuAD"]),                               # 1.0986
    ]
    # shared labels rarest first: GSM8K, LLaMA-7B (log 3) before LoRA (log 2)
    assert similar_papers(G, "paper:p4") == [
        ("paper:p5", round(2 * math.log(3) + math.log(2), 4), ["GSM8K", "LLaMA-7B", "LoRA"]),
        ("paper:p2", LOG2, ["LoRA"]),
    ]


def test_similar_papers_by_title_ties_by_title_and_k(G):
    # p4 and p5 tie on LoRA alone: "Math with LLaMA" comes before "Prompted Arithmetic"
    assert similar_papers(G, "low-rank bert") == [
        ("paper:p1", round(2 * math.log(3), 4), ["BERT", "GLUE"]),
        ("paper:p4", LOG2, ["LoRA"]),
        ("paper:p5", LOG2, ["LoRA"]),
    ]
    assert [row[0] for row in similar_papers(G, "Low-Rank BERT", k=2)] == ["paper:p1",
                                                                           "paper:p4"]
    assert similar_papers(G, "An Unrelated Survey") == []


def test_similar_papers_unknown_paper(G):
    with pytest.raises(KeyError, match="no paper with the id or title 'Nope'"):
        similar_papers(G, "Nope")
    with pytest.raises(UnknownNode):
        similar_papers(G, "entity:bert")   # an entity is not a paper


# -- top_entities --------------------------------------------------------------------------


def test_top_entities_by_papers(G):
    assert top_entities(G, k=8) == [
        ("entity:lora", "LoRA", "Method", 3),
        ("entity:bert", "BERT", "Model", 2),
        ("entity:glue", "GLUE", "Benchmark", 2),
        ("entity:gsm8k", "GSM8K", "Benchmark", 2),
        ("entity:llama-7b", "LLaMA-7B", "Model", 2),
        ("entity:squad", "SQuAD", "Dataset", 2),
        ("entity:gpt-2", "GPT-2", "Model", 1),
        ("entity:llama", "LLaMA", "Model", 0),
    ]
    assert top_entities(G, k=1) == [("entity:lora", "LoRA", "Method", 3)]
    assert top_entities(G, type="Model") == [("entity:bert", "BERT", "Model", 2),
                                             ("entity:llama-7b", "LLaMA-7B", "Model", 2),
                                             ("entity:gpt-2", "GPT-2", "Model", 1),
                                             ("entity:llama", "LLaMA", "Model", 0)]
    assert [r[0] for r in top_entities(G, type="benchmark")] == ["entity:glue", "entity:gsm8k"]


def test_top_entities_by_pagerank_on_the_bipartite_part(G):
    ranked = top_entities(G, by="pagerank", k=8)
    order = [row[0] for row in ranked]
    values = {row[0]: row[3] for row in ranked}
    assert order[0] == "entity:lora"                  # three papers, bridging both clusters
    assert order[-2:] == ["entity:gpt-2", "entity:llama"]
    assert values["entity:bert"] == values["entity:glue"]         # same neighbourhood
    assert values["entity:gsm8k"] == values["entity:llama-7b"]
    # LLaMA has a family edge but no mentions: on the bipartite part it is isolated, like
    # p6. With 14 nodes and the two isolated (dangling) ones at x each:
    # x = 0.15/14 + 0.85 * 2x/14, so x = 0.15 / 12.3.
    assert values["entity:llama"] == float(f"{0.15 / 12.3:.4g}") == 0.0122
    assert all(isinstance(v, float) for v in values.values())


def test_top_entities_rejects_bad_arguments(G):
    with pytest.raises(ValueError, match="unknown entity type"):
        top_entities(G, type="Paper")
    with pytest.raises(ValueError, match="by must be"):
        top_entities(G, by="degree")


# -- cooccurring ---------------------------------------------------------------------------


def test_cooccurring(G):
    # LoRA's papers p2, p4, p5: GSM8K and LLaMA-7B in two of them, BERT and GLUE in one
    expected = [("entity:gsm8k", "GSM8K", 2), ("entity:llama-7b", "LLaMA-7B", 2),
                ("entity:bert", "BERT", 1), ("entity:glue", "GLUE", 1)]
    assert cooccurring(G, "LoRA") == expected
    assert cooccurring(G, "low-rank adaptation") == expected      # by alias
    assert cooccurring(G, "entity:lora", k=1) == expected[:1]
    assert cooccurring(G, "GPT-2") == [("entity:squad", "SQuAD", 1)]
    assert cooccurring(G, "LLaMA") == []            # a family root: no papers of its own
    with pytest.raises(KeyError, match="no entity"):
        cooccurring(G, "ResNet")


# -- communities ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_communities(G, seed):
    # Two groups joined only through LoRA (weight 1 each to BERT and GLUE, 2 each to GSM8K
    # and LLaMA-7B): {BERT, GLUE, SQuAD, GPT-2} and {LoRA, GSM8K, LLaMA-7B}. p2 has two
    # entities in the first and one (LoRA) in the second; p6 has none; LLaMA is in no paper.
    assert communities(G, seed=seed) == [
        {"id": 0, "label": "BERT, GLUE, SQuAD, ...",
         "entities": ["entity:bert", "entity:glue", "entity:squad", "entity:gpt-2"],
         "papers": ["paper:p1", "paper:p2", "paper:p3"]},
        {"id": 1, "label": "LoRA, GSM8K, LLaMA-7B",
         "entities": ["entity:lora", "entity:gsm8k", "entity:llama-7b"],
         "papers": ["paper:p4", "paper:p5"]},
    ]


def test_communities_of_an_empty_graph():
    assert communities(nx.Graph()) == []


# -- path ----------------------------------------------------------------------------------


def test_path_through_mentions(G):
    assert path(G, "GPT-2", "Tiny BERT Tricks") == [
        "GPT-2 <--introduces-- GPT-2 Reads",
        "GPT-2 Reads --uses--> SQuAD",
        "SQuAD <--uses-- Tiny BERT Tricks",
    ]


def test_path_ignores_the_shares_projection(G):
    # p3 and p1 have a direct `shares` edge; the path goes through the entity instead
    assert path(G, "paper:p3", "paper:p1") == ["GPT-2 Reads --uses--> SQuAD",
                                               "SQuAD <--uses-- Tiny BERT Tricks"]


def test_path_through_a_family_edge(G):
    assert path(G, "LLaMA", "Prompted Arithmetic") == [
        "LLaMA <--variant of-- LLaMA-7B",
        "LLaMA-7B <--uses-- Prompted Arithmetic",
    ]
    assert path(G, "llama 7b", "entity:llama") == ["LLaMA-7B --variant of--> LLaMA"]
    assert path(G, "BERT", "bert") == []


def test_path_errors(G):
    with pytest.raises(nx.NetworkXNoPath, match="no path between 'An Unrelated Survey' and"):
        path(G, "An Unrelated Survey", "BERT")
    with pytest.raises(KeyError, match="no paper or entity named 'ResNet'"):
        path(G, "ResNet", "BERT")


# -- timeline and new_entities -------------------------------------------------------------


def test_timeline(G):
    # ISO dates as dates
    assert timeline(G, "BERT") == [("2024-01-15", "paper:p2", "Low-Rank BERT"),
                                   ("2024-03-01", "paper:p1", "Tiny BERT Tricks")]
    # p4's first listing date is Mar 9 (not the string-smaller "Mar 12"); p5 is undated
    assert timeline(G, "Grade School Math 8K") == [("Mar 9", "paper:p4", "Math with LLaMA"),
                                                   ("", "paper:p5", "Prompted Arithmetic")]
    # date lines (no year) before ISO dates, undated last
    assert timeline(G, "LoRA") == [("Mar 9", "paper:p4", "Math with LLaMA"),
                                   ("2024-01-15", "paper:p2", "Low-Rank BERT"),
                                   ("", "paper:p5", "Prompted Arithmetic")]
    assert timeline(G, "LLaMA") == []


def test_date_key_orders_months_not_strings():
    dates = ["", "Mar 12", "2024-01-15", "Feb 2", "Jan 30", "Mar 9", "2023-12-20",
             "Aug 12, 2023"]
    assert sorted(dates, key=analytics.date_key) == [
        "Jan 30", "Feb 2", "Mar 9", "Mar 12", "Aug 12, 2023", "2023-12-20", "2024-01-15", ""]


def test_new_entities(G):
    # first dates: GPT-2, SQuAD 2023-12-20; BERT, GLUE 2024-01-15; LoRA, GSM8K, LLaMA-7B
    # Mar 9 (p4); LLaMA has no paper
    assert new_entities(G, "2024-01-01") == [
        ("entity:bert", "BERT", "Model", "2024-01-15"),
        ("entity:glue", "GLUE", "Benchmark", "2024-01-15"),
    ]
    assert new_entities(G, "2024-01-16") == []
    assert [row[0] for row in new_entities(G, "Mar 9")] == [
        "entity:gsm8k", "entity:llama-7b", "entity:lora",
        "entity:gpt-2", "entity:squad", "entity:bert", "entity:glue"]
    assert [row[0] for row in new_entities(G, "Mar 10")] == [
        "entity:gpt-2", "entity:squad", "entity:bert", "entity:glue"]
    with pytest.raises(ValueError, match="ISO date"):
        new_entities(G, "last week")


# -- benchmark_table -----------------------------------------------------------------------


def test_benchmark_table(G):
    assert benchmark_table(G, "GLUE") == [
        ("entity:bert", "BERT", "Model", ["Low-Rank BERT", "Tiny BERT Tricks"]),
        ("entity:lora", "LoRA", "Method", ["Low-Rank BERT"]),
    ]
    assert benchmark_table(G, "gsm8k") == [
        ("entity:llama-7b", "LLaMA-7B", "Model", ["Math with LLaMA", "Prompted Arithmetic"]),
        ("entity:lora", "LoRA", "Method", ["Math with LLaMA", "Prompted Arithmetic"]),
    ]
    # a dataset works too; SQuAD itself and other datasets/benchmarks are left out
    assert benchmark_table(G, "SQuAD") == [
        ("entity:bert", "BERT", "Model", ["Tiny BERT Tricks"]),
        ("entity:gpt-2", "GPT-2", "Model", ["GPT-2 Reads"]),
    ]


def test_names_that_fit_two_nodes_are_refused():
    graph = nx.Graph()
    graph.add_node("entity:a", kind="entity", label="Alpha", aliases=["A"])
    graph.add_node("entity:b", kind="entity", label="Beta", aliases=["A"])
    with pytest.raises(ValueError, match="'A' names 2 entities: entity:a, entity:b"):
        analytics.find_entity(graph, "A")


# -- a real build: the mini corpus ---------------------------------------------------------


def test_on_the_mini_corpus(mini_build):
    G = mini_build.graph
    titles = {d["title"]: n for n, d in G.nodes(data=True) if d["kind"] == "paper"}
    quill = titles["QuillNet: Sparse Adapters for Fast Math Reasoning"]
    grade = titles["Grade-School Math Without Tears"]
    draft = titles["Faster Decoding with Draft Trees"]
    # 5 papers: GSM8K and Llama-2-7B are in 2 each, so each shared one weighs log(5/2);
    # the two papers tie and are ordered by title
    assert similar_papers(G, "quillnet: sparse adapters for fast math reasoning") == [
        (draft, round(math.log(5 / 2), 4), ["Llama-2-7B"]),
        (grade, round(math.log(5 / 2), 4), ["GSM8K"]),
    ]
    assert {row[1] for row in top_entities(G, k=4)} == {"GPT-4", "GSM8K", "HumanEval",
                                                        "Llama-2-7B"}
    assert [row[1] for row in top_entities(G, type="Benchmark", k=2)] == ["GSM8K", "HumanEval"]
    assert top_entities(G, by="pagerank", k=1)[0][2] in analytics.TYPES
    assert ("entity:gsm8k", "GSM8K", 1) in cooccurring(G, "Chain-of-Thought")
    groups = communities(G)
    assert sum(len(g["papers"]) for g in groups) == 5          # every paper has entities
    together = next(g for g in groups if "entity:gsm8k" in g["entities"])
    assert "entity:quillnet" in together["entities"] and quill in together["papers"]
    assert path(G, quill, "Mistral 7B") == [
        "QuillNet: Sparse Adapters for Fast Math Reasoning --uses--> Llama-2-7B",
        "Llama-2-7B <--uses-- Faster Decoding with Draft Trees",
        "Faster Decoding with Draft Trees --uses--> Mistral 7B",
    ]
    assert path(G, "Llama-2-7B", "LLaMA") == ["Llama-2-7B --variant of--> Llama 2",
                                              "Llama 2 --variant of--> LLaMA"]
    # QuillNet's paper is listed on "Oct 2" only; Grade-School has the ISO date
    assert timeline(G, "GSM8K") == [
        ("Oct 2", quill, "QuillNet: Sparse Adapters for Fast Math Reasoning"),
        ("2026-10-03", grade, "Grade-School Math Without Tears"),
    ]
    assert [row[1] for row in new_entities(G, "2026-10-05")] == ["DraftTree", "Mistral 7B"]
    table = {row[1]: row[3] for row in benchmark_table(G, "GSM8K")}
    assert table["QuillNet"] == ["QuillNet: Sparse Adapters for Fast Math Reasoning"]
    assert table["Chain-of-Thought"] == ["Grade-School Math Without Tears"]
    assert "MATH" not in table and "GSM8K" not in table


# -- the README session, on the bundled sample ---------------------------------------------

def readme_session() -> tuple[str, str]:
    """The Python session of the README's "Analytics" section and the output it shows."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Analytics", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    output = section.split("```text\n", 1)[1].split("```", 1)[0]
    return code, output


def test_readme_session(sample_build, capsys, monkeypatch):
    # the README's session, as written, in the folder that holds the sample's `outputs/`
    code, output = readme_session()
    monkeypatch.chdir(sample_build.directory.parent)
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == output
    G = kg.load(sample_build.directory).graph
    # the graph in memory (as built) answers the same as the one read back
    assert analytics.path(sample_build.graph, "LoRA", "GSM8K") == analytics.path(
        G, "LoRA", "GSM8K")
    assert analytics.communities(sample_build.graph) == analytics.communities(G)


def test_answers_do_not_depend_on_the_order_the_graph_was_built_in(G):
    # the same nodes and edges added in reverse order: paths (breadth-first, ties) and
    # communities (Louvain) read the links in sorted order, so they answer the same
    reverse = nx.Graph()
    reverse.add_nodes_from(reversed(list(G.nodes(data=True))))
    reverse.add_edges_from(reversed(list(G.edges(data=True))))
    nodes = sorted(G)
    for a in nodes:
        for b in nodes:
            try:
                expected = path(G, a, b)
            except nx.NetworkXNoPath:
                expected = None
            try:
                found = path(reverse, a, b)
            except nx.NetworkXNoPath:
                found = None
            assert found == expected, (a, b)
    for seed in (0, 1, 7):
        assert communities(reverse, seed=seed) == communities(G, seed=seed)
