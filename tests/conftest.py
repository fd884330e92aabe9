"""Shared fixtures: real builds on disk, made once per test session."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import kg

DATA = Path(__file__).parent / "data"
MINI = DATA / "mini"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """The bundled sample, built as `kg build` does."""
    return kg.build(None, tmp_path_factory.mktemp("sample") / "outputs")


@pytest.fixture(scope="session")
def mini_build(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """Four small listings in the four input formats (tests/data/mini)."""
    return kg.build([MINI], tmp_path_factory.mktemp("mini") / "outputs")


@pytest.fixture
def mini_copy(tmp_path: Path) -> Path:
    """A private copy of the mini listings that a test may edit."""
    target = tmp_path / "mini"
    shutil.copytree(MINI, target)
    return target


def run_and_maybe_kill(command: list[str], rng: random.Random, earliest: float,
                       latest: float) -> bool:
    """Run `command`, SIGKILL its process group after a random wait (unless it ended);
    True if it was killed while running."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    time.sleep(rng.uniform(earliest, latest))
    running = process.poll() is None
    if running:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return running
