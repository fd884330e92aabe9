"""kg.analysis_report on the bundled sample: report.md, real non-blank PNG plots, summary."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from PIL import Image

from kg import analytics
from kg.analysis_report import PLOTS, summary, write_analysis


@pytest.fixture(scope="module")
def analysis(sample_build, tmp_path_factory) -> Path:
    return write_analysis(sample_build.graph, tmp_path_factory.mktemp("analysis"))


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"))


def test_writes_the_report_and_every_plot(analysis):
    assert analysis.name == "report.md" and analysis.is_file()
    assert sorted(p.name for p in analysis.parent.glob("*.png")) == sorted(PLOTS)


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_each_plot_is_a_real_non_blank_image(analysis, name):
    image = pixels(analysis.parent / name)
    height, width, _ = image.shape
    assert width >= 400 and height >= 300
    assert image.std() > 0
    colours = np.unique(image.reshape(-1, 3), axis=0)
    assert len(colours) > 10          # bars, text and axes, not a flat fill


def test_markdown_links_each_plot_and_names_the_leaders(analysis, sample_build):
    text = analysis.read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]+\]\(([^)]+\.png)\)", text)
    assert sorted(linked) == sorted(PLOTS)
    for name in linked:
        assert (analysis.parent / name).exists()
    G = sample_build.graph
    for kind in analytics.TYPES:
        (_, label, _, count), = analytics.top_entities(G, type=kind, k=1)
        assert f"**{kind}s**: {label} ({count})" in text
    assert f"| papers | {sum(1 for _, k in G.nodes(data='kind') if k == 'paper')} |" in text


def test_summary_numbers_match_the_graph(sample_build):
    G = sample_build.graph
    numbers = summary(G)
    kinds = nx.get_node_attributes(G, "kind")
    edges = nx.get_edge_attributes(G, "kind")
    assert numbers["papers"] == sum(k == "paper" for k in kinds.values())
    assert numbers["entities"] == sum(k == "entity" for k in kinds.values()) == sum(
        numbers[f"{t.lower()}s"] for t in analytics.TYPES)
    assert numbers["mentions"] == sum(k == "mentions" for k in edges.values()) == (
        numbers["introduced"] + numbers["used"])
    assert numbers["family_links"] == sum(k == "family" for k in edges.values())
    assert numbers["paper_links"] == sum(k == "shares" for k in edges.values())
    assert numbers["communities"] == len(analytics.communities(G))
    assert 0 < numbers["largest_component"] <= len(G)
    assert all(isinstance(v, int | float) for v in numbers.values())


def test_empty_and_tiny_graphs_still_give_valid_plots(tmp_path):
    (tmp_path / "report.md").write_text("the build's report\n", encoding="utf-8")
    page = write_analysis(nx.Graph(), tmp_path)
    assert page.read_text(encoding="utf-8").startswith("the build's report\n\n## Analysis\n")
    write_analysis(nx.Graph(), tmp_path)  # again: the analysis is replaced, not repeated
    assert page.read_text(encoding="utf-8").count("## Analysis") == 1
    for name in PLOTS:
        assert pixels(tmp_path / name).std() > 0      # "no data" is drawn, not a blank
    assert "| papers | 0 |" in page.read_text(encoding="utf-8")
    assert summary(nx.Graph())["communities"] == 0
