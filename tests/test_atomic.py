"""A build killed at any moment (SIGKILL) leaves complete, readable outputs."""

import errno
import random
import sys
from pathlib import Path

import pyoxigraph
import pytest

import kg
import kg.graph
import kg.viz

from .conftest import MINI, run_and_maybe_kill

DESIGN_FILES = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.html", "graph.graphml",
                "graph.json", "extractions.jsonl", "entities.csv", "papers.csv", "report.md"]


def assert_complete(folder: Path) -> None:
    """Every output is there and opens: the graph reads back, the store counts its triples."""
    for name in DESIGN_FILES:
        assert (folder / name).is_file() and (folder / name).stat().st_size > 0, name
    assert len(kg.load(folder).papers) == 5
    store = pyoxigraph.Store.read_only(str(folder / "store"))
    [row] = store.query("SELECT ?n WHERE { ?d <http://rdfs.org/ns/void#triples> ?n }")
    assert int(row["n"].value) == len(store)
    assert (folder / "NOTES.txt").read_text() == "mine\n"


def test_sigkill_at_twenty_random_moments_leaves_complete_outputs(tmp_path):
    out = tmp_path / "out"
    kg.build([MINI], out)
    (out / "NOTES.txt").write_text("mine\n")
    rng = random.Random(20261123)
    command = [sys.executable, "-m", "kg.cli", "build", str(MINI), "-o", str(out), "-j", "1"]
    killed_while_running = 0
    for _ in range(20):
        killed_while_running += run_and_maybe_kill(command, rng, 0.3, 3.0)
        assert_complete(out)
    assert killed_while_running >= 10
    # the next build cleans up what the killed ones left
    kg.build([MINI], out)
    assert_complete(out)
    assert not list(tmp_path.glob(".out.*.tmp"))


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_failing_writer_fails_the_build_and_keeps_the_previous_outputs(tmp_path, monkeypatch):
    """The writers run in child processes: an error in one is the build's error."""
    out = tmp_path / "out"
    kg.build([MINI], out, jobs=2)
    before = files_of(out)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(kg.viz, "write_html", full_disk)
    with pytest.raises(OSError, match="No space left on device") as caught:
        kg.build([MINI], out, jobs=2)
    assert "(while writing graph.html)" in caught.value.__notes__
    assert files_of(out) == before
    assert not list(tmp_path.glob(".out.*.tmp"))


def test_a_failing_graph_fails_the_build_and_keeps_the_previous_outputs(tmp_path, monkeypatch):
    """The first writers run while the graph is built: its error stops them, and the
    previous outputs stay as they were."""
    out = tmp_path / "out"
    kg.build([MINI], out, jobs=2)
    before = files_of(out)

    def no_memory(*args, **kwargs):
        raise MemoryError("the graph did not fit")

    monkeypatch.setattr(kg.graph, "build_graph", no_memory)
    with pytest.raises(MemoryError, match="the graph did not fit"):
        kg.build([MINI], out, jobs=2)
    assert files_of(out) == before
    assert not list(tmp_path.glob(".out.*.tmp"))
