"""Extraction on a Dask distributed cluster: papers in partitions, one task per partition.

In: `Paper`s and a scheduler address (or none: a LocalCluster of `workers` processes on
this machine). Out: each paper with its mentions, in input order, exactly as
`kg.extract.extract` gives them. Each worker process builds the pipeline once and keeps it;
a task carries only (paper key, text) pairs and returns only compact mention rows. At most
`in_flight` partitions per worker are out at a time, so the client's memory stays bounded
however long the stream of papers.

Dask is an optional dependency (`pip install kg[dask]`); this module imports it when used.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from spacy.language import Language

from kg.extract import (
    MentionRow,
    batch_size_for,
    batched,
    build_pipeline,
    extract_texts,
    paired,
    texts_of,
)
from kg.model import Mentions, Paper

_PIPELINES: dict[str | None, Language] = {}  # per worker process, built by its first task


def extract_partition(items: list[tuple[str, str]],
                      lexicon_dir: str | None = None) -> list[list[MentionRow]]:
    """One task: the mention rows of each (paper key, text) of a partition, on a worker."""
    if lexicon_dir not in _PIPELINES:
        _PIPELINES[lexicon_dir] = build_pipeline(lexicon_dir)
    return extract_texts(_PIPELINES[lexicon_dir], items)


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[object]:
    """A client of the cluster at `scheduler`, or of a new LocalCluster of `workers`
    single-threaded processes (spaCy's pipeline holds the GIL: threads would not help)."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def extract_on_dask(papers: Iterable[Paper], scheduler: str | None = None, workers: int = 2,
                    lexicon_dir: str | None = None, on_paper: Callable[[], None] | None = None,
                    in_flight: int = 2) -> Iterator[tuple[Paper, Mentions]]:
    """Each paper with its mentions, in input order, extracted by the Dask cluster."""
    with dask_client(scheduler, workers) as client:
        available = max(len(client.scheduler_info()["workers"]), 1)
        slots = in_flight * available
        pending: deque = deque()
        # tasks of at most 500 papers, at least four per worker when the number is known
        for partition in batched(papers, batch_size_for(papers, available, 500, 4)):
            pending.append((partition, client.submit(extract_partition, texts_of(partition),
                                                     lexicon_dir, pure=False)))
            if len(pending) >= slots:
                yield from _gathered(*pending.popleft(), on_paper)
        while pending:
            yield from _gathered(*pending.popleft(), on_paper)


def _gathered(partition: tuple[Paper, ...], future, on_paper: Callable[[], None] | None,
              ) -> Iterator[tuple[Paper, Mentions]]:
    yield from paired(partition, future.result(), on_paper)
    future.release()
