"""Viz: the knowledge graph -> one self-contained interactive HTML page (pyvis / vis-network).

In: the networkx graph of kg.graph. Out: graph.html, a single file with vis-network's script
and style inlined (it opens from file:// with no network), pyvis's page globals `network`,
`nodes` and `edges`, a legend that filters by type, search by name or alias, and a side
panel for the clicked node. Every input string reaches the page as JSON data and is shown
with textContent, never parsed as HTML.

Large graphs are cut to the `max_nodes` most connected nodes; the page says how many were left
out.
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jinja2
import networkx as nx
import pyvis
from pyvis.network import Network

from kg.graph import MENTIONS

COLORS = {"Paper": "#9e9e9e", "Model": "#1f77b4", "Dataset": "#2ca02c",
          "Benchmark": "#ff7f0e", "Method": "#9467bd"}
SHAPES = {"Paper": "square", "Model": "dot", "Dataset": "diamond", "Benchmark": "triangle",
          "Method": "dot"}
ROLE_EDGE = {"introduced": {"color": "#d62728", "width": 2.5},
             "used": {"color": "#bbbbbb", "width": 1}}
PHYSICS = {
    "physics": {"solver": "forceAtlas2Based", "stabilization": {"iterations": 250, "fit": True},
                "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 90}},
    "interaction": {"hover": True, "tooltipDelay": 150},
    "nodes": {"font": {"size": 14}},
    "edges": {"smooth": False},
}


def group_of(data: dict) -> str:
    return "Paper" if data["kind"] == "paper" else data["type"]


def chosen_nodes(graph: nx.Graph, max_nodes: int) -> list[str]:
    """The `max_nodes` nodes with the most paper-entity links (ties by id, so stable)."""
    degree = {n: 0 for n in graph}
    for a, b, kind in graph.edges(data="kind"):
        if kind == MENTIONS:
            degree[a] += 1
            degree[b] += 1
    ranked = sorted(graph, key=lambda n: (-degree[n], n))
    return ranked[:max_nodes]


def tooltip(data: dict) -> str:
    """Plain text (vis-network shows string titles as text, not HTML)."""
    if data["kind"] == "paper":
        return f"{data['title']}\n{data.get('date', '')}".strip()
    aliases = ", ".join(data.get("aliases", []))
    return f"{data['label']} ({data['type']}, {data['papers']} papers)" + (
        f"\naka {aliases}" if aliases else "")


def details_of(graph: nx.Graph) -> dict[str, dict]:
    """What the side panel shows for every node (drawn or not), keyed by node id."""
    details: dict[str, dict] = {}
    for node, data in graph.nodes(data=True):
        entry = {"kind": data["kind"], "label": data["label"]}
        if data["kind"] == "paper":
            linked = [(b, d["role"]) for _, b, d in graph.edges(node, data=True)
                      if d["kind"] == MENTIONS]
            entry |= {"date": data.get("date", ""), "url": data.get("url", ""),
                      "introduces": sorted(b for b, r in linked if r == "introduced"),
                      "uses": sorted(b for b, r in linked if r == "used")}
        else:
            entry |= {"type": data["type"], "aliases": data.get("aliases", []),
                      "family": f"entity:{data['family']}" if data.get("family") else "",
                      "papers": data["papers"],
                      "paper_ids": sorted(b for _, b, d in graph.edges(node, data=True)
                                          if d["kind"] == MENTIONS)}
        details[node] = entry
    return details


def network_of(graph: nx.Graph, keep: list[str]) -> Network:
    net = Network(height="100vh", width="100%", cdn_resources="in_line")
    kept = set(keep)
    degree = dict(graph.degree(keep))
    for node in keep:
        data = graph.nodes[node]
        group = group_of(data)
        label = data["label"] if len(data["label"]) <= 40 else data["label"][:38] + "…"
        net.add_node(node, label=label, title=tooltip(data), group=group,
                     size=8 + min(degree[node], 40))
    for a, b, data in graph.edges(data=True):
        if data["kind"] == MENTIONS and a in kept and b in kept:
            net.add_edge(a, b, title=data["role"], **ROLE_EDGE[data["role"]])
    net.options = PHYSICS | {"groups": {group: {"color": COLORS[group], "shape": SHAPES[group]}
                                        for group in COLORS}}
    return net


def script_json(value: object) -> str:
    """JSON that is safe inside a <script> element (no '</script>', no HTML comment opener)."""
    return (json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")
            .replace(">", "\\u003e").replace("&", "\\u0026"))


def render_html(graph: nx.Graph, max_nodes: int = 500, heading: str = "kg") -> str:
    keep = chosen_nodes(graph, max_nodes)
    net = network_of(graph, keep)
    nodes, edges, _, _, _, options = net.get_network_data()
    vis_dir = Path(pyvis.__file__).parent / "lib" / "vis-9.1.2"
    left_out = graph.number_of_nodes() - len(keep)
    summary = (f"{sum(1 for _, k in graph.nodes(data='kind') if k == 'paper')} papers, "
               f"{sum(1 for _, k in graph.nodes(data='kind') if k == 'entity')} entities.")
    if left_out:
        summary += (f" Showing the {len(keep)} most connected nodes; "
                    f"{left_out} less connected nodes are left out (search still finds them).")
    template = jinja2.Template(files("kg").joinpath("templates/graph.html").read_text("utf-8"),
                               autoescape=True)
    return template.render(
        heading=heading, vis_js=_raw(vis_dir / "vis-network.min.js"),
        vis_css=_raw(vis_dir / "vis-network.css"),
        nodes_json=_raw_str(script_json(nodes)), edges_json=_raw_str(script_json(edges)),
        options_json=_raw_str(options), details_json=_raw_str(script_json(details_of(graph))),
        meta_json=_raw_str(script_json({"summary": summary, "left_out": left_out})),
        colors_json=_raw_str(script_json(COLORS)))


def _raw(path: Path) -> jinja2.utils.markupsafe.Markup:
    return _raw_str(path.read_text(encoding="utf-8"))


def _raw_str(text: str) -> jinja2.utils.markupsafe.Markup:
    return jinja2.utils.markupsafe.Markup(text)


def write_html(graph: nx.Graph, path: Path, max_nodes: int = 500, heading: str = "kg") -> None:
    path.write_text(render_html(graph, max_nodes, heading), encoding="utf-8")
