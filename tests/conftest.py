"""Shared fixtures: real builds on disk, made once per test session."""

from __future__ import annotations

import shutil
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
