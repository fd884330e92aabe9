"""The analysis report: a Markdown page with PNG plots of a built graph.

In: the networkx graph of a build (`kg.load(DIR).graph`). Out: `write_analysis` writes
the "## Analysis" part of DIR/report.md (the build's own summary above it is kept) and its
plots (top-entities.png, degree-distribution.png, community-sizes.png, new-entities.png)
and returns the report's path; `summary` gives the plain
numbers of the graph for a table. The plots are drawn with matplotlib's object API on the
Agg renderer: nothing is displayed and pyplot's global state is left alone.
"""

from __future__ import annotations

import statistics
import warnings
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import scipy.sparse as sp
from matplotlib.figure import Figure
from scipy.sparse.csgraph import connected_components

from kg import analytics, measures

ANALYSIS_HEADING = "## Analysis"
PLOTS = {
    "top-entities.png": "Top entities per type",
    "degree-distribution.png": "Degree distribution",
    "community-sizes.png": "Community sizes",
    "new-entities.png": "Entities first seen per listing date",
}
COLOURS = {"Model": "#4e79a7", "Dataset": "#59a14f", "Benchmark": "#f28e2b",
           "Method": "#b07aa1"}
DPI = 100


def summary(G: nx.Graph) -> dict[str, int | float]:
    """Plain numbers about the graph, for a table: sizes, types, links, communities.

    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", label="A", date="", listings=[])
    >>> G.add_node("entity:bert", kind="entity", label="BERT", type="Model")
    >>> G.add_edge("paper:a", "entity:bert", kind="mentions", role="introduced")
    >>> s = summary(G)
    >>> s["papers"], s["entities"], s["models"], s["introduced"], s["communities"]
    (1, 1, 1, 1, 1)
    """
    return _summary(G, analytics.communities(G))


def _summary(G: nx.Graph, groups: list[dict]) -> dict[str, int | float]:
    """Counted on the incidence matrix (kg.measures) and the entities' adjacency: at
    100,000 papers a pass over every edge's data costs seconds, one over a view more."""
    inc = measures.incidence(G)
    papers, entities = inc.papers, inc.entities
    mentions, family = inc.matrix.nnz, _family_links(G, inc)
    roles = Counter(data.get("role") for entity in entities
                    for node, data in G._adj[entity].items() if node in inc.row_of)
    types = Counter(G.nodes[n]["type"] for n in entities)
    paper_degrees, entity_degrees = _degrees(inc)
    components = _component_sizes(inc, family)
    return {
        "papers": len(papers),
        "entities": len(entities),
        **{f"{t.lower()}s": types[t] for t in analytics.TYPES},
        "mentions": mentions,
        "introduced": roles["introduced"],
        "used": roles["used"],
        "family_links": len(family),
        "paper_links": G.number_of_edges() - mentions - len(family),  # the rest join papers
        "papers_without_entities": int((paper_degrees == 0).sum()),
        "entities_per_paper": round(mentions / len(papers), 2) if papers else 0.0,
        "papers_per_entity": _mean(entity_degrees[entity_degrees > 0].tolist()),
        "communities": len(groups),
        "components": len(components),
        "largest_component": int(components.max(initial=0)),
    }


def _degrees(inc: measures.Incidence) -> tuple[np.ndarray, np.ndarray]:
    """Entities per paper and papers per entity."""
    return np.diff(inc.matrix.indptr), inc.entity_degrees


def _family_links(G: nx.Graph, inc: measures.Incidence) -> list[tuple[int, int]]:
    """The entity-entity links (kg.graph's `family` edges), as column pairs."""
    return [(col, inc.col_of[other]) for col, entity in enumerate(inc.entities)
            for other in G._adj[entity] if other in inc.col_of and entity <= other]


def _component_sizes(inc: measures.Incidence, family: list[tuple[int, int]]) -> np.ndarray:
    """Node counts of the connected components of papers and entities through mentions
    and families (the `shares` links left aside)."""
    n_papers = len(inc.papers)
    mentions = inc.matrix.tocoo()
    pairs = np.array(family, dtype=np.int64).reshape(-1, 2) + n_papers
    rows = np.concatenate([mentions.row, pairs[:, 0]])
    cols = np.concatenate([mentions.col + n_papers, pairs[:, 1]])
    size = n_papers + len(inc.entities)
    links = sp.coo_array((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    _, labels = connected_components(links, directed=False)
    return np.bincount(labels)


def _mean(values: list[int]) -> float:
    return round(statistics.fmean(values), 2) if values else 0.0


def write_analysis(G: nx.Graph, directory: Path | str) -> Path:
    """Write the analysis into directory/report.md, with its PNG plots; return the path.

    What report.md held before its "## Analysis" heading (the build's summary) is kept.

    >>> import tempfile
    >>> G = nx.Graph()
    >>> G.add_node("paper:a", kind="paper", label="A", title="A", date="Aug 12", listings=[])
    >>> G.add_node("entity:bert", kind="entity", label="BERT", type="Model")
    >>> G.add_edge("paper:a", "entity:bert", kind="mentions", role="used")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     written = write_analysis(G, folder)
    ...     print(written.name, sorted(p.name for p in written.parent.glob("*.png")))
    report.md ['community-sizes.png', 'degree-distribution.png', 'new-entities.png', \
'top-entities.png']
    """
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    groups = analytics.communities(G)
    seen = analytics.first_seen(G)
    _save(_top_entities_figure(G), folder / "top-entities.png")
    _save(_degree_figure(G), folder / "degree-distribution.png")
    _save(_community_figure(groups), folder / "community-sizes.png")
    _save(_new_entities_figure(seen), folder / "new-entities.png")
    page = folder / "report.md"
    build_part = page.read_text(encoding="utf-8").split(ANALYSIS_HEADING)[0].rstrip() + "\n\n" \
        if page.exists() else ""
    page.write_text(build_part + _markdown(G, groups, seen), encoding="utf-8")
    return page


# -- plots ---------------------------------------------------------------------------------


def _save(figure: Figure, path: Path) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        figure.savefig(path, dpi=DPI)


def _no_data(ax) -> None:
    ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes,
            color="grey", fontsize=14)


def _short(label: str, width: int = 32) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def _top_entities_figure(G: nx.Graph, k: int = 10) -> Figure:
    figure = Figure(figsize=(12, 9), layout="constrained")
    figure.suptitle(f"Top {k} entities per type, by number of papers")
    for ax, kind in zip(figure.subplots(2, 2).flat, analytics.TYPES, strict=True):
        rows = [row for row in analytics.top_entities(G, type=kind, k=k) if row[3]]
        ax.set_title(f"{kind}s")
        if not rows:
            _no_data(ax)
            continue
        ax.barh([_short(r[1]) for r in reversed(rows)], [r[3] for r in reversed(rows)],
                color=COLOURS[kind])
        ax.set_xlabel("papers")
        ax.xaxis.get_major_locator().set_params(integer=True)
    return figure


def _degree_figure(G: nx.Graph) -> Figure:
    figure = Figure(figsize=(9, 6), layout="constrained")
    ax = figure.subplots()
    drawn = False
    for degrees_of, marker, what in zip(_degrees(measures.incidence(G)), "os",
                                        ("papers (entities per paper)",
                                         "entities (papers per entity)"), strict=True):
        counts = Counter(degrees_of[degrees_of > 0].tolist())
        if counts:
            degrees = sorted(counts)
            ax.loglog(degrees, [counts[d] for d in degrees], marker, label=what, alpha=0.8)
            drawn = True
    ax.set_title("Degree distribution of the paper-entity graph (log-log)")
    ax.set_xlabel("degree (mentions links)")
    ax.set_ylabel("nodes")
    if drawn:
        ax.legend()
    else:
        _no_data(ax)
    return figure


def _community_figure(groups: list[dict], k: int = 20) -> Figure:
    figure = Figure(figsize=(11, 7), layout="constrained")
    ax = figure.subplots()
    shown = groups[:k]
    ax.set_title(f"Community sizes (Louvain on entity co-occurrence; {len(shown)} largest "
                 f"of {len(groups)})")
    if not shown:
        _no_data(ax)
        return figure
    names = [f"{g['id']}: {_short(g['label'], 40)}" for g in reversed(shown)]
    ax.barh(names, [len(g["entities"]) for g in reversed(shown)], color="#4e79a7",
            label="entities")
    ax.barh(names, [len(g["papers"]) for g in reversed(shown)], color="#f28e2b", height=0.4,
            label="papers")
    ax.set_xlabel("members")
    ax.legend(loc="lower right")
    return figure


def _new_entities_figure(seen: dict[str, str]) -> Figure:
    figure = Figure(figsize=(10, 6), layout="constrained")
    ax = figure.subplots()
    counts = Counter(date for date in seen.values() if date)
    ax.set_title("Entities first seen per listing date")
    if not counts:
        _no_data(ax)
        return figure
    dates = sorted(counts, key=analytics.date_key)
    ax.bar(dates, [counts[d] for d in dates], color="#59a14f", label="new entities")
    ax.set_ylabel("entities first seen")
    ax.set_xlabel("date")
    if len(dates) > 12:
        ax.tick_params(axis="x", labelrotation=60)
    total = ax.twinx()
    running = [sum(counts[d] for d in dates[:i + 1]) for i in range(len(dates))]
    total.plot(dates, running, color="#333333", marker="o", label="cumulative")
    total.set_ylabel("cumulative")
    total.set_ylim(bottom=0)
    return figure


# -- the page ------------------------------------------------------------------------------


def _markdown(G: nx.Graph, groups: list[dict], seen: dict[str, str]) -> str:
    numbers = _summary(G, groups)
    lines = [ANALYSIS_HEADING, "",
             f"{numbers['papers']} papers, {numbers['entities']} entities, "
             f"{len(groups)} communities. Made by `kg.analysis_report` from the graph.", "",
             *_table(["measure", "value"],
                     [[name.replace("_", " "), value] for name, value in numbers.items()])]
    lines += ["", "### Top entities per type", "", "![Top entities per type](top-entities.png)",
              ""]
    for kind in analytics.TYPES:
        top = analytics.top_entities(G, type=kind, k=5)
        named = ", ".join(f"{_cell(label)} ({value})" for _, label, _, value in top if value)
        lines.append(f"- **{kind}s**: {named or 'none'}")
    lines += ["", "### Degree distribution", "",
              "![Degree distribution](degree-distribution.png)", "",
              f"A paper names {numbers['entities_per_paper']} entities on average; an entity "
              f"mentioned at all is in {numbers['papers_per_entity']} papers on average.", "",
              "### Communities", "", "![Community sizes](community-sizes.png)", "",
              *_table(["community", "entities", "papers"],
                      [[f"{g['id']}: {_cell(g['label'])}", len(g["entities"]), len(g["papers"])]
                       for g in groups[:10]])]
    counts = Counter(date for date in seen.values() if date)
    lines += ["", "### Entities first seen per listing date", "",
              "![Entities first seen per listing date](new-entities.png)", "",
              *_table(["date", "new entities"],
                      [[d, counts[d]] for d in sorted(counts, key=analytics.date_key)])]
    undated = sum(1 for date in seen.values() if not date)
    if undated:
        lines += ["", f"{undated} entities appear only in undated papers."]
    return "\n".join(lines) + "\n"


def _table(header: list[str], rows: list[list]) -> list[str]:
    if not rows:
        return ["None."]
    return [f"| {' | '.join(header)} |", "|" + "---|" * len(header),
            *(f"| {' | '.join(map(str, row))} |" for row in rows)]


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell or list item."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*")
