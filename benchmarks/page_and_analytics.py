"""graph.html and kg.analytics on a large build, in one run.

    python benchmarks/page_and_analytics.py BUILD_DIR

Prints one JSON line per measurement: the page's size, the seconds headless Chromium
(Debian's, network cut off) takes to reach a stable, drawn state, the seconds `kg.load`
takes, and each analytics function's first and repeated calls on the loaded graph
(analytics_speed.py, which also times the load and build steps one by one).
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from analytics_speed import measure, run

import kg


def page_seconds(html: Path) -> tuple[float, list[int]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu",
                                          "--disable-background-networking"])
        page = browser.new_context(bypass_csp=True).new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                   else r.abort())
        started = time.perf_counter()
        page.goto(html.as_uri())
        page.wait_for_function("window.kgStable === true", timeout=120_000, polling=20)
        seconds = time.perf_counter() - started
        counts = page.evaluate("[nodes.length, edges.length]")
        browser.close()
    return seconds, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", type=Path)
    args = parser.parse_args()
    html = args.build / "graph.html"
    seconds, (nodes, edges) = page_seconds(html)
    print(json.dumps({"measure": "graph.html", "megabytes": round(html.stat().st_size / 1e6, 2),
                      "seconds_to_stable": round(seconds, 2), "nodes": nodes, "edges": edges}))
    started = time.perf_counter()
    graph = kg.load(args.build).graph
    print(json.dumps({"measure": "kg.load", "seconds": round(time.perf_counter() - started, 2),
                      "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}))
    measure(graph)
    run(graph, repeat=3)


if __name__ == "__main__":
    main()
