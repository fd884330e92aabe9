"""Viz: the knowledge graph -> one self-contained interactive HTML page (pyvis / vis-network).

In: the networkx graph of kg.graph (and, optionally, the evidence sentences of mentions).
Out: graph.html, a single file with vis-network's script and style inlined (it opens from
file:// with no network, and its Content-Security-Policy forbids fetching anything), pyvis's
page globals `network`, `nodes` and `edges`, and:

- a legend that filters by type, search by name or alias, a "top N nodes" slider;
- two views: papers and entities, or entities only (linked by co-occurrence);
- a side panel for the clicked node: a paper's title, date, link, what it introduces and
  uses with the evidence sentences; an entity's type, aliases, family and papers.

Every input string reaches the page as JSON data and is shown with textContent, never parsed
as HTML. Large graphs are cut to the `max_nodes` most connected nodes; the page says how
many were left out. Physics runs until the layout is stable, then stops.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from importlib.resources import files
from itertools import combinations
from pathlib import Path

import jinja2
import networkx as nx
import pyvis
from markupsafe import Markup
from pyvis.network import Network

from kg.graph import MENTIONS
from kg.model import Mention

COLORS = {"Paper": "#9e9e9e", "Model": "#1f77b4", "Dataset": "#2ca02c",
          "Benchmark": "#ff7f0e", "Method": "#9467bd"}
SHAPES = {"Paper": "square", "Model": "dot", "Dataset": "diamond", "Benchmark": "triangle",
          "Method": "star"}
ROLE_EDGE = {"introduced": {"color": "#d62728", "width": 2.5, "dashes": False},
             "used": {"color": "#b0b0b0", "width": 1, "dashes": True}}
OPTIONS = {
    "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 200, "fit": True},
                "forceAtlas2Based": {"gravitationalConstant": -45, "springLength": 80}},
    "interaction": {"hover": True, "tooltipDelay": 150, "hideEdgesOnDrag": True},
    "nodes": {"font": {"size": 16, "strokeWidth": 3, "strokeColor": "#ffffff"},
              # label size follows the node's links, never beyond 22 px on screen, and
              # small labels appear only when zoomed in
              "scaling": {"min": 8, "max": 40,
                          "label": {"enabled": True, "min": 12, "max": 60, "maxVisible": 22,
                                    "drawThreshold": 7}}},
    "edges": {"smooth": False},
    "groups": {group: {"color": COLORS[group], "shape": SHAPES[group]} for group in COLORS},
}
EVIDENCE_PER_LINK = 1
LINKS_PER_NODE = 25  # side-panel links per node; the page stays small on any corpus
COOCCURRENCE_PER_ENTITY = 6


def group_of(data: dict) -> str:
    return "Paper" if data["kind"] == "paper" else data["type"]


def mention_degree(graph: nx.Graph) -> Counter[str]:
    degree: Counter[str] = Counter({node: 0 for node in graph})
    for a, b, kind in graph.edges(data="kind"):
        if kind == MENTIONS:
            degree[a] += 1
            degree[b] += 1
    return degree


def chosen_nodes(graph: nx.Graph, max_nodes: int, degree: Counter[str]) -> list[str]:
    """At most `max_nodes` nodes, most linked first (ties by id): the most linked entities
    (up to 40% of the cap), then the papers that mention most of them, so that both kinds
    stay on the page however large the corpus."""
    by_degree = sorted(graph, key=lambda n: (-degree[n], n))
    entities = [n for n in by_degree if graph.nodes[n]["kind"] == "entity"]
    papers = [n for n in by_degree if graph.nodes[n]["kind"] == "paper"]
    entities = entities[:max(max_nodes - len(papers), int(max_nodes * 0.4))]
    chosen = set(entities)
    papers = sorted(papers, key=lambda p: (-sum(e in chosen for e in graph[p]), -degree[p], p))
    keep = set(entities + papers[:max_nodes - len(entities)])
    return [n for n in by_degree if n in keep]


def tooltip(data: dict) -> str:
    """Plain text (vis-network shows string titles as text, not HTML)."""
    if data["kind"] == "paper":
        return f"{data['title']}\n{data.get('date', '')}".strip()
    aliases = ", ".join(data.get("aliases", []))
    return f"{data['label']} ({data['type']}, {data['papers']} papers)" + (
        f"\naka {aliases}" if aliases else "")


def evidence_of(mentions: Iterable[Mention], papers: set[str]) -> dict[tuple[str, str], list[str]]:
    """(paper node, entity node) -> a few distinct evidence sentences, for the papers of
    `papers` (the drawn ones)."""
    evidence: dict[tuple[str, str], list[str]] = {}
    for mention in mentions:
        paper = f"paper:{mention.paper}"
        if paper not in papers:
            continue
        sentences = evidence.setdefault((paper, f"entity:{mention.entity}"), [])
        if mention.sentence not in sentences and len(sentences) < EVIDENCE_PER_LINK:
            sentences.append(mention.sentence)
    return evidence


def details_of(graph: nx.Graph, keep: list[str],
               evidence: dict[tuple[str, str], list[str]]) -> dict[str, dict]:
    """What the side panel shows for each drawn node, keyed by node id."""
    kept = set(keep)
    details: dict[str, dict] = {}
    for node in keep:
        data = graph.nodes[node]
        entry = {"kind": data["kind"], "label": data["label"]}
        links = sorted((other, d) for _, other, d in graph.edges(node, data=True)
                       if d["kind"] == MENTIONS)
        entry["more"] = max(0, len(links) - LINKS_PER_NODE)
        links = sorted(links, key=lambda link: (link[0] not in kept, link[0]))[:LINKS_PER_NODE]
        if data["kind"] == "paper":
            entry |= {"date": data.get("date", ""), "url": data.get("url", ""),
                      "links": [{"id": other, "label": graph.nodes[other]["label"],
                                 "role": d["role"], "drawn": other in kept,
                                 "evidence": evidence.get((node, other), [])}
                                for other, d in links]}
        else:
            family = data.get("family")
            entry |= {"type": data["type"], "aliases": data.get("aliases", []),
                      "family": {"id": f"entity:{family}",
                                 "label": graph.nodes[f"entity:{family}"]["label"]}
                      if family else None,
                      "papers": data["papers"],
                      "links": [{"id": other, "label": graph.nodes[other]["label"],
                                 "role": d["role"], "drawn": other in kept}
                                for other, d in links]}
        details[node] = entry
    return details


def cooccurrence_edges(graph: nx.Graph, keep: list[str]) -> list[dict]:
    """Entity-entity edges for the entities-only view: the papers two drawn entities share,
    each entity keeping its strongest few links."""
    entities = {n for n in keep if graph.nodes[n]["kind"] == "entity"}
    shared: Counter[tuple[str, str]] = Counter()
    for paper, kind in graph.nodes(data="kind"):
        if kind == "paper":
            shared.update(combinations(sorted(e for e in graph[paper] if e in entities), 2))
    strongest: dict[str, list[tuple[int, str, str]]] = {}
    for (a, b), count in shared.items():
        for node in (a, b):
            strongest.setdefault(node, []).append((count, a, b))
    chosen = {(a, b) for links in strongest.values()
              for _, a, b in sorted(links, key=lambda x: (-x[0], x[1], x[2]))[
                  :COOCCURRENCE_PER_ENTITY]}
    return [{"from": a, "to": b, "value": shared[a, b],
             "title": f"{shared[a, b]} shared paper(s)", "color": "#7f7f7f"}
            for a, b in sorted(chosen)]


def edges_among(graph: nx.Graph, nodes: set[str]) -> Iterator[tuple[str, str, dict]]:
    """The edges between two of `nodes`, in the order of `graph.edges`, without walking the
    edges of the nodes left out (most of a large graph)."""
    done: set[str] = set()
    for node in graph:
        if node in nodes:
            for other, data in graph.adj[node].items():
                if other in nodes and other not in done:
                    yield node, other, data
            done.add(node)


def network_of(graph: nx.Graph, keep: list[str], degree: Counter[str]) -> Network:
    net = Network(height="100vh", width="100%", cdn_resources="in_line")
    kept = set(keep)
    for rank, node in enumerate(keep, start=1):
        data = graph.nodes[node]
        limit = 30 if data["kind"] == "paper" else 40
        label = data["label"] if len(data["label"]) <= limit else data["label"][:limit - 1] + "…"
        net.add_node(node, label=label, title=tooltip(data), group=group_of(data),
                     value=degree[node] + 1, rank=rank, shape=SHAPES[group_of(data)])
    for a, b, data in edges_among(graph, kept):
        if data["kind"] == MENTIONS:
            net.add_edge(a, b, title=data["role"], role=data["role"], **ROLE_EDGE[data["role"]])
    net.options = OPTIONS
    return net


def script_json(value: object) -> Markup:
    """JSON that is safe inside a <script> element (no '</script>', no HTML comment opener)."""
    text = (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return Markup(text)


def summary_of(graph: nx.Graph, drawn: int) -> str:
    kinds = Counter(kind for _, kind in graph.nodes(data="kind"))
    text = f"{kinds['paper']} papers, {kinds['entity']} entities."
    left_out = graph.number_of_nodes() - drawn
    if left_out:
        text += (f" Showing the {drawn} most connected nodes; {left_out} less connected "
                 "nodes are left out (kg build --html-max-nodes N draws more).")
    return text


def render_html(graph: nx.Graph, max_nodes: int = 500, heading: str = "kg",
                mentions: Iterable[Mention] = ()) -> str:
    degree = mention_degree(graph)
    keep = chosen_nodes(graph, max_nodes, degree)
    net = network_of(graph, keep, degree)
    nodes, edges, _, _, _, options = net.get_network_data()
    vis_dir = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    template = jinja2.Template(files("kg").joinpath("templates/graph.html").read_text("utf-8"),
                               autoescape=True)
    return template.render(
        heading=heading,
        vis_js=Markup((vis_dir / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=Markup((vis_dir / "vis-network.css").read_text(encoding="utf-8")),
        nodes_json=script_json(nodes), edges_json=script_json(edges),
        cooccurrence_json=script_json(cooccurrence_edges(graph, keep)),
        options_json=Markup(options),
        details_json=script_json(details_of(graph, keep, evidence_of(mentions, set(keep)))),
        meta_json=script_json({"summary": summary_of(graph, len(keep)),
                               "left_out": graph.number_of_nodes() - len(keep),
                               "drawn": len(keep)}),
        colors_json=script_json(COLORS))


def write_html(graph: nx.Graph, path: Path, max_nodes: int = 500, heading: str = "kg",
               mentions: Iterable[Mention] = ()) -> None:
    path.write_text(render_html(graph, max_nodes, heading, mentions), encoding="utf-8")
