"""`kg add`: growing a build with a new listing gives the graph a full build gives."""

import random
import re
import shutil
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph
import pytest

import kg

from .conftest import DATA, MINI, run_and_maybe_kill
from .test_cli import kg as kg_cli
from .test_cli import snapshot

LAST_LISTING = "004_36cc173e41f84a37.txt"
RUN_IRI = re.compile(r"/run/\d{8}T\d{6}Z")
TIME_LITERAL = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"')


def triples(folder: Path) -> set[str]:
    """graph.nt as a set of lines, the run's IRI and times (which differ by design) blanked."""
    lines = (folder / "graph.nt").read_text(encoding="utf-8").splitlines()
    return {TIME_LITERAL.sub('"TIME"', RUN_IRI.sub("/run/RUN", line)) for line in lines}


def edges(graph: nx.Graph) -> dict[frozenset[str], dict]:
    return {frozenset((a, b)): data for a, b, data in graph.edges(data=True)}


@pytest.fixture(scope="module")
def grown(tmp_path_factory) -> kg.KnowledgeGraph:
    """The first four sample listings built, then the fifth added."""
    four = tmp_path_factory.mktemp("four")
    for listing in sorted(kg.sample_dir().iterdir())[:4]:
        shutil.copy(listing, four)
    out = tmp_path_factory.mktemp("grown") / "out"
    kg.build([four], out)
    return kg.add([kg.sample_dir() / LAST_LISTING], out)


def test_adding_the_fifth_listing_gives_the_graph_of_all_five(grown, sample_build):
    assert grown.added == 33 and grown.known == 40  # 40 of its 73 papers are in earlier ones
    assert triples(grown.directory) == triples(sample_build.directory)
    loaded, full = kg.load(grown.directory).graph, kg.load(sample_build.directory).graph
    assert dict(loaded.nodes(data=True)) == dict(full.nodes(data=True))
    assert edges(loaded) == edges(full)
    assert dict(grown.graph.nodes(data=True)) == dict(sample_build.graph.nodes(data=True))
    assert edges(grown.graph) == edges(sample_build.graph)


def test_every_table_and_the_store_match_the_full_build(grown, sample_build):
    for name in ("extractions.jsonl", "entities.csv", "papers.csv", "papers.jsonl"):
        assert (grown.directory / name).read_bytes() == (
            sample_build.directory / name).read_bytes(), name
    assert grown.summary.model_dump(exclude={"seconds"}) == sample_build.summary.model_dump(
        exclude={"seconds"})
    assert grown.summary.papers == 324 and grown.summary.listings == 399
    store = pyoxigraph.Store.read_only(str(grown.directory / "store"))
    assert len(store) == len(triples(sample_build.directory)) == grown.summary.triples


def test_names_the_added_papers_discover_reach_the_old_papers_as_in_a_full_build(tmp_path):
    """old.jsonl: paper a writes ZorbaNet and KelpStack without a cue; b introduces the
    benchmark KelpStack. new.jsonl introduces ZorbaNet, and three papers call KelpStack a
    model: a's mentions come from the corpus-level pass over names found in other papers."""
    listings = DATA / "add"
    grown = kg.add([listings / "new.jsonl"], kg.build([listings / "old.jsonl"],
                                                      tmp_path / "grown").directory)
    full = kg.build([listings / "old.jsonl", listings / "new.jsonl"], tmp_path / "full")
    found_in_a = {(m.surface, m.type.value, m.rule) for m in grown.mentions
                  if m.paper == grown.papers[0].key}
    # ZorbaNet is new to the build; KelpStack's voted type turned from Benchmark to Model
    assert found_in_a == {("ZorbaNet", "Model", "corpus"), ("KelpStack", "Model", "corpus")}
    for name in ("mentions.jsonl", "extractions.jsonl", "entities.csv", "papers.jsonl"):
        assert (grown.directory / name).read_bytes() == (full.directory / name).read_bytes()
    assert triples(grown.directory) == triples(full.directory)
    assert dict(grown.graph.nodes(data=True)) == dict(full.graph.nodes(data=True))
    assert edges(grown.graph) == edges(full.graph)


def test_adding_a_listing_again_extracts_nothing_and_changes_no_triple(grown, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(grown.directory, out)
    again = kg.add([kg.sample_dir() / LAST_LISTING], out)
    assert again.added == 0 and again.known == 73
    # the papers gain the listing a second time (as a build reading it twice would record)
    assert again.summary.listings == grown.summary.listings + 73
    assert triples(out) == triples(grown.directory)


def test_cli_add_reports_new_and_known_papers_and_keeps_the_build_options(tmp_path):
    out = tmp_path / "out"
    assert kg_cli("build", str(MINI / "listing-a.txt"), "-o", str(out), "--no-evidence",
                  "--base-iri", "https://example.org/kg/").returncode == 0
    result = kg_cli("add", str(MINI / "listing-b.jsonl"), str(MINI / "listing-a.txt"),
                    "--to", str(out))
    assert result.returncode == 0, result.stderr
    # listing-b: "Counting Stars" (in listing-a too) and one new paper; listing-a: both known
    assert "added 1 new paper(s); 2 already in the build" in " ".join(result.stdout.split())
    assert len(kg.load(out).papers) == 3
    subjects = {line.split(" ")[0] for line in (out / "graph.nt").read_text().splitlines()}
    assert all(s.startswith("<https://example.org/kg/") for s in subjects)
    assert "/mention/" not in (out / "graph.nt").read_text()  # still without evidence


def test_cli_add_bad_input_or_no_build_is_exit_2_and_the_build_untouched(tmp_path):
    out = tmp_path / "out"
    assert kg_cli("build", str(MINI / "listing-a.txt"), "-o", str(out)).returncode == 0
    before = snapshot(out)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "A", "abstract": "B"}\n{"title": \n')
    result = kg_cli("add", str(bad), "--to", str(out))
    assert result.returncode == 2 and result.stderr.strip().endswith(
        "bad.jsonl:2: invalid JSON: Expecting value (column 11)")
    result = kg_cli("add", str(MINI / "listing-b.jsonl"), "--to", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "not a kg build" in result.stderr
    assert snapshot(out) == before


def test_sigkill_during_add_leaves_the_old_or_the_new_build_whole(tmp_path):
    out = tmp_path / "out"
    kg.build([MINI / "listing-a.txt", MINI / "listing-c.csv"], out)
    old = triples(out)
    shutil.copytree(out, tmp_path / "copy")
    new = triples(kg.add([MINI / "listing-b.jsonl"], tmp_path / "copy").directory)
    assert new != old
    command = [sys.executable, "-m", "kg.cli", "add", str(MINI / "listing-b.jsonl"),
               "--to", str(out), "-j", "1"]
    rng = random.Random(8)
    killed = 0
    for _ in range(6):
        killed += run_and_maybe_kill(command, rng, 0.5, 3.0)
        now = triples(out)
        assert now in (old, new)  # adding the listing again changes no triple
        assert len(pyoxigraph.Store.read_only(str(out / "store"))) == len(now)
    assert killed >= 3
