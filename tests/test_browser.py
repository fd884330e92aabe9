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
    # an alias typed in the search box finds its entity and focuses it
    page.locator("#search").fill("Low-Rank Adaptation")
    page.locator("#search").dispatch_event("change")
    assert page.evaluate("network.getSelectedNodes()") == ["entity:lora"]
    assert "LoRA" in page.locator("#panel").inner_text()
    # unchecking a type hides its nodes
    benchmarks = [n for n, d in graph.nodes(data=True) if d.get("type") == "Benchmark"]
    page.locator("input[data-type=Benchmark]").uncheck()
    hidden = page.evaluate("nodes.get({filter: n => n.hidden === true}).map(n => n.id)")
    assert sorted(hidden) == sorted(benchmarks) and benchmarks


PAYLOADS = [
    '<script>window.pwned = 1; alert("title")</script>',
    '<img src=x onerror="window.pwned = 2; alert(2)">',
    '</script><script>window.pwned = 3</script>',
    '"><svg onload="window.pwned = 4">',
    "<!-- <script>window.pwned = 5</script> -->",
]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    import json

    import kg
    folder = tmp_path_factory.mktemp("hostile")
    records = [{"id": f"x{i}", "title": f"EvilNet{i}: {payload}",
                "abstract": f"We propose EvilNet{i}, a model. It beats GPT-4 on GSM8K. {payload}",
                "url": "javascript:alert(1)"}
               for i, payload in enumerate(PAYLOADS)]
    (folder / "hostile.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return kg.build([folder / "hostile.jsonl"], folder / "out")


def test_html_and_script_in_the_input_are_shown_as_text(browser, hostile_build):
    dialogs = []
    context = browser.new_context(bypass_csp=False)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto((hostile_build.directory / "graph.html").as_uri())
    page.wait_for_timeout(3000)
    assert dialogs == [] and errors == []
    assert page.evaluate("window.pwned === undefined")
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert page.evaluate("document.querySelectorAll('img, svg, iframe').length") == 0
    # the panel shows the payload as text (clicking through the page's own API)
    context.close()
    page, _, errors = open_page(browser, hostile_build.directory / "graph.html")
    paper = next(n for n in hostile_build.graph if n.startswith("paper:evilnet1"))
    page.evaluate(f"show({paper!r})")
    panel = page.locator("#panel")
    assert PAYLOADS[1] in panel.inner_text()
    assert panel.locator("img").count() == 0 and panel.locator("a[href^=javascript]").count() == 0
    assert page.evaluate("window.pwned === undefined") and errors == []


def test_views_and_top_nodes(browser, mini_build):
    page, blocked, errors = open_page(browser, mini_build.directory / "graph.html")
    papers = [n for n, d in mini_build.graph.nodes(data=True) if d["kind"] == "paper"]
    page.locator("input[name=view][value=entities]").check()
    hidden = set(page.evaluate("nodes.get({filter: n => n.hidden}).map(n => n.id)"))
    assert hidden == set(papers)
    assert page.evaluate("edges.get().every(e => e.from.startsWith('entity:') "
                         "&& e.to.startsWith('entity:'))")
    assert page.evaluate("edges.length") > 0
    page.locator("input[name=view][value=papers]").check()
    assert page.evaluate("nodes.get({filter: n => n.hidden}).length") == 0
    page.evaluate("setTop(3)")
    assert page.evaluate("nodes.get({filter: n => !n.hidden}).length") == 3
    assert blocked == [] and errors == []


def test_paper_panel_shows_evidence(browser, mini_build):
    page, _, _ = open_page(browser, mini_build.directory / "graph.html")
    quill = next(n for n, d in mini_build.graph.nodes(data=True)
                 if d.get("title", "").startswith("QuillNet"))
    page.evaluate(f"show({quill!r})")
    text = page.locator("#panel").inner_text()
    assert "Introduces" in text and "QuillNet" in text
    assert "We evaluate on GSM8K and MATH" in text
