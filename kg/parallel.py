"""Parallel writers: independent tasks run side by side in forked child processes.

In: `Task`s (a name, a function of no arguments, the names of the tasks it needs first), in
the order they should start when several are ready, and how many may run at once. Out: each
task's return value and its own seconds, as the tasks finished. The children are forked, so
they read the parent's data (the graph, the papers) without a copy or a pickle; only the
small return values come back, through a pipe. `run_tasks` runs a list of tasks to the end;
`Writers` lets the parent start some tasks, work meanwhile (build what the other tasks
read), then add those tasks.

A task that raises stops everything: the other children are killed and the parent raises
the task's exception (with a note naming the task), so the caller's clean-up runs once, in
the parent. A child never outlives the parent: if the parent is killed, the kernel kills
its children (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[[], object]
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Done:
    value: object
    seconds: float  # the task's own time, in its process


class ChildTraceback(Exception):
    """Where a task failed in its child: shown as the cause of the exception re-raised."""

    def __str__(self) -> str:
        return "\n" + self.args[0]


class WriterDied(RuntimeError):
    """A child ended without a result (killed by a signal, or out of memory)."""


def die_with_parent(parent: int) -> None:
    """In a child: the kernel sends SIGKILL when the parent dies (Linux), so a killed build
    leaves no writer behind still filling its temporary folder."""
    prctl = getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)
    if prctl is not None:  # other systems: a killed build's writers finish on their own
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def child(task: Task, parent: int, results: Connection) -> None:
    die_with_parent(parent)
    # The inherited objects never become garbage here; freezing them keeps the collector
    # from walking (and so copying) every page the parent holds.
    gc.freeze()
    started = time.perf_counter()
    try:
        value = task.run()
    except BaseException as error:  # the parent re-raises it
        trace = "".join(traceback.format_exception(error))
        try:
            results.send((error, trace))
        except Exception:  # an exception pickle cannot carry: its type and message then
            results.send((RuntimeError(f"{type(error).__name__}: {error}"), trace))
        return
    results.send(Done(value, time.perf_counter() - started))


class Writers:
    """Tasks in forked children, at most `processes` at once; on leaving the `with` block
    (by an exception or not), the children still running are killed.

        with Writers(2) as writers:
            writers.start(first_tasks, at_most=1)  # returns at once
            ...                                    # this process works meanwhile
            writers.start(more_tasks)
            done = writers.wait()
    """

    def __init__(self, processes: int) -> None:
        self.processes = max(processes, 1)
        self.waiting: list[Task] = []
        self.running: dict[Connection, tuple[Task, BaseProcess]] = {}
        self.done: dict[str, Done] = {}

    def __enter__(self) -> Writers:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for _, process in self.running.values():
            process.kill()
            process.join()
        self.running.clear()

    def start(self, tasks: list[Task], at_most: int | None = None) -> None:
        """Queue `tasks` after those waiting; start the first ready ones (those whose `after`
        tasks are done) while fewer than `at_most` (default and at most `processes`) run."""
        self.waiting += tasks
        limit = self.processes if at_most is None else min(at_most, self.processes)
        context = multiprocessing.get_context("fork")
        while len(self.running) < limit and (task := first_ready(self.waiting, self.done)):
            self.waiting.remove(task)
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=child, args=(task, os.getpid(), send),
                                      name=f"kg writer: {task.name}")
            process.start()
            send.close()
            self.running[receive] = (task, process)

    def wait(self) -> dict[str, Done]:
        """Run every queued task to its end, starting each as a process frees; out: every
        task's `Done` by name, in the order they finished. Raises a task's exception."""
        while self.waiting or self.running:
            self.start([])
            if not self.running:
                raise ValueError(
                    f"tasks wait for unknown tasks: {[t.name for t in self.waiting]}")
            for receive in wait(list(self.running)):
                task, process = self.running.pop(receive)
                self.done[task.name] = result_of(task, process, receive)
        return self.done


def run_tasks(tasks: list[Task], processes: int) -> dict[str, Done]:
    """Run `tasks` in forked children, at most `processes` at once; a task starts once the
    tasks it comes `after` are done, the first ready one in list order first."""
    with Writers(processes) as writers:
        writers.start(tasks)
        return writers.wait()


def first_ready(waiting: list[Task], done: dict[str, Done]) -> Task | None:
    return next((task for task in waiting if all(name in done for name in task.after)), None)


def result_of(task: Task, process: BaseProcess, receive: Connection) -> Done:
    """What the child sent; raises the child's exception, or WriterDied."""
    try:
        message = receive.recv()
    except EOFError:
        message = None
    finally:
        receive.close()
    process.join()
    if isinstance(message, Done):
        return message
    if isinstance(message, tuple):
        error, trace = message
        error.add_note(f"(while writing {task.name})")
        raise error from ChildTraceback(trace)
    raise WriterDied(f"{task.name}: the writer process ended without a result "
                     f"(exit status {process.exitcode})")
