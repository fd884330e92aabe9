"""kg.parallel: writers in forked processes, their order, their failures, their end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kg.parallel import Task, WriterDied, Writers, run_tasks


def wait_for(path: Path, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while not (path.exists() and path.read_text()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} never came")
        time.sleep(0.01)
    return path.read_text()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_task_starts_after_the_tasks_it_needs_and_values_come_back(tmp_path):
    first = tmp_path / "first.txt"
    tasks = [Task("second", lambda: first.read_text() + " then second", after=("first",)),
             Task("first", lambda: first.write_text("first") and os.getpid())]
    done = run_tasks(tasks, processes=2)
    assert done["second"].value == "first then second"
    assert done["first"].value != os.getpid()  # it ran in a child
    assert list(done) == ["first", "second"]
    assert all(result.seconds >= 0 for result in done.values())


def test_tasks_run_side_by_side(tmp_path):
    """Each task waits for the other's file: only two processes at once finish them."""
    a, b = tmp_path / "a", tmp_path / "b"
    tasks = [Task("a", lambda: a.write_text("a") and wait_for(b)),
             Task("b", lambda: b.write_text("b") and wait_for(a))]
    done = run_tasks(tasks, processes=2)
    assert (done["a"].value, done["b"].value) == ("b", "a")


def test_a_failing_task_raises_in_the_parent_and_stops_the_others(tmp_path):
    pid_file = tmp_path / "sleeper.pid"

    def sleeper() -> None:
        pid_file.write_text(str(os.getpid()))
        time.sleep(600)

    def failing() -> None:
        wait_for(pid_file)
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left on device") as caught:
        run_tasks([Task("sleeper", sleeper), Task("graph.ttl", failing)], processes=2)
    assert "(while writing graph.ttl)" in caught.value.__notes__
    assert "in failing" in str(caught.value.__cause__)  # the child's traceback
    assert gone(int(pid_file.read_text()))


def test_tasks_started_first_run_while_the_parent_works(tmp_path):
    """`at_most` bounds the first tasks; those added later start as processes free."""
    first, second = tmp_path / "first", tmp_path / "second"
    with Writers(2) as writers:
        writers.start([Task("first", lambda: first.write_text("1")),
                       Task("second", lambda: second.write_text("2"))], at_most=1)
        assert wait_for(first) == "1"  # written while this process waits here
        assert len(writers.running) <= 1 and not second.exists()
        writers.start([Task("third", lambda: first.read_text() + second.read_text(),
                            after=("second",))])
        done = writers.wait()
    assert done["third"].value == "12"
    assert list(done) == ["first", "second", "third"]


def test_an_error_in_the_parent_kills_the_tasks_it_started(tmp_path):
    pid_file = tmp_path / "sleeper.pid"

    def sleeper() -> None:
        pid_file.write_text(str(os.getpid()))
        time.sleep(600)

    with pytest.raises(MemoryError), Writers(2) as writers:
        writers.start([Task("sleeper", sleeper)], at_most=1)
        wait_for(pid_file)
        raise MemoryError  # say, while the parent builds the graph
    assert gone(int(pid_file.read_text()))


def test_a_killed_writer_fails_the_run():
    with pytest.raises(WriterDied, match=r"graph.html: .* \(exit status -9\)"):
        run_tasks([Task("graph.html", lambda: os.kill(os.getpid(), signal.SIGKILL))], 1)


def test_writers_die_with_their_parent(tmp_path):
    """A killed build leaves no writer behind to write into its temporary folder."""
    pid_file = tmp_path / "writer.pid"
    script = textwrap.dedent(f"""
        import os, time
        from kg.parallel import Task, run_tasks
        def writer():
            open({str(pid_file)!r}, "w").write(str(os.getpid()))
            time.sleep(600)
        run_tasks([Task("writer", writer)], 1)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script])
    try:
        writer = int(wait_for(pid_file))
    finally:
        parent.kill()
        parent.wait()
    assert gone(writer)


def test_report_gives_the_graph_the_writers_wall_time_after_it_and_each_writers_own(
        mini_build):
    """The first writers start beside the graph: none takes longer than the graph and the
    writers' wall time after it."""
    table = (mini_build.directory / "report.md").read_text().split("## Seconds per stage")[1]
    rows = dict(line.strip("|").rsplit("|", 1) for line in table.splitlines()
                if line.startswith("| ") and "---" not in line)
    seconds = {name.strip(): float(value) for name, value in rows.items() if name != " stage "}
    [graph] = [value for name, value in seconds.items() if name.startswith("networkx graph")]
    [wall] = [value for name, value in seconds.items() if name.startswith("publish: ")]
    writers = {name.removesuffix(" (writer, side by side)"): value
               for name, value in seconds.items() if name.endswith("(writer, side by side)")}
    assert {"graph.nt", "store (Oxigraph bulk load)", "graph.ttl", "graph.jsonld",
            "graph.json", "graph.graphml", "graph.html"} <= set(writers)
    assert all(value <= graph + wall + 0.1 for value in writers.values())
