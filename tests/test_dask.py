"""Extraction on a Dask cluster gives exactly what the local run gives."""

import pytest
from distributed import Client, LocalCluster, get_task_stream

from .test_cli import kg as kg_cli

SAME_FILES = ("mentions.jsonl", "extractions.jsonl", "papers.jsonl", "entities.csv")


def assert_same_build(out, sample_build) -> None:
    for name in SAME_FILES:
        assert (out / name).read_bytes() == (sample_build.directory / name).read_bytes(), name
    assert len((out / "mentions.jsonl").read_text().splitlines()) > 2000  # not trivially equal


def test_build_dask_on_a_two_worker_local_cluster_matches_the_local_build(sample_build,
                                                                          tmp_path):
    result = kg_cli("build", "--dask", "--jobs", "2", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert_same_build(tmp_path / "out", sample_build)


@pytest.fixture
def cluster_client():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        yield client


def test_build_scheduler_runs_partitions_on_every_worker(sample_build, cluster_client,
                                                        tmp_path):
    address = cluster_client.scheduler.address
    with get_task_stream(cluster_client) as stream:
        result = kg_cli("build", "--scheduler", address, "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert_same_build(tmp_path / "out", sample_build)
    tasks = [task for task in stream.data if task["key"].startswith("extract_partition")]
    assert len(tasks) == 8  # 324 papers in partitions of 41: four per worker
    assert len({task["worker"] for task in tasks}) == 2
