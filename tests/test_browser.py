"""graph.html in a real headless Chromium (Debian's), with the network cut off."""

import shutil

import pytest

from kg.graph import MENTIONS

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def open_page(browser, html_path):
    """Open graph.html from file://, aborting (and recording) every non-file request."""
    context = browser.new_context(bypass_csp=True)  # lets Playwright evaluate its own scripts
    page = context.new_page()
    blocked, errors = [], []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(html_path.as_uri())
    page.wait_for_function("window.kgStable === true", timeout=60_000)
    return page, blocked, errors


def expected_counts(graph, cap=500):
    nodes = min(graph.number_of_nodes(), cap)
    return nodes


def test_sample_page_draws_offline(browser, sample_build):
    page, blocked, errors = open_page(browser, sample_build.directory / "graph.html")
    assert blocked == [] and errors == []
    drawn_nodes, drawn_edges, positioned = page.evaluate(
        "[nodes.length, edges.length, Object.keys(network.getPositions()).length]")
    assert drawn_nodes == expected_counts(sample_build.graph) == positioned
    kept = set(page.evaluate("nodes.getIds()"))
    mention_edges = sum(1 for a, b, k in sample_build.graph.edges(data="kind")
                        if k == MENTIONS and a in kept and b in kept)
    assert drawn_edges == mention_edges
    canvas = page.locator("canvas")
    assert canvas.count() == 1 and canvas.bounding_box()["width"] > 300


def test_mini_page_search_and_type_filter(browser, mini_build):
    graph = mini_build.graph
    page, blocked, errors = open_page(browser, mini_build.directory / "graph.html")
    assert blocked == [] and errors == []
    assert page.evaluate("nodes.length") == graph.number_of_nodes()
    # an alias finds its entity and focuses it
    assert page.evaluate("search('Low-Rank Adaptation')") == "entity:lora"
    assert page.evaluate("network.getSelectedNodes()") == ["entity:lora"]
    assert "LoRA" in page.locator("#panel").inner_text()
    # unchecking a type hides its nodes
    benchmarks = [n for n, d in graph.nodes(data=True) if d.get("type") == "Benchmark"]
    page.locator("input[data-type=Benchmark]").uncheck()
    hidden = page.evaluate("nodes.get({filter: n => n.hidden === true}).map(n => n.id)")
    assert sorted(hidden) == sorted(benchmarks) and benchmarks
