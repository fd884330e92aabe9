"""`--on-error skip`: bad records and files are skipped, counted and listed; duplicates whose
content differs are reported, identical ones merge silently."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.ingest import ingest

from .conftest import MINI

LONG_ABSTRACT = "We propose ZephyrNet, a fast model for long inputs. " * 8


def jsonl(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


@pytest.fixture(scope="module")
def listings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini corpus plus files with bad records, a binary file and conflicting duplicates."""
    folder = tmp_path_factory.mktemp("skip") / "in"
    shutil.copytree(MINI, folder)
    (folder / "broken.jsonl").write_text(jsonl(
        {"id": "n1", "title": "NovaNet: A Model", "abstract": "We propose NovaNet, a model."},
        '{"id": "n2", "title": "Cut off',
        {"id": "n3", "title": "No Abstract Here"},
        {"id": "n4", "title": "OrbitBench: A Benchmark",
         "abstract": "We introduce OrbitBench, a new benchmark."}))
    (folder / "lonely.txt").write_text(
        f"Aug 3\n\nA Lonely Title\n\nZephyrNet: Fast Models\n\n{LONG_ABSTRACT}\n")
    (folder / "bad.csv").write_text("id,title,abstract\nk1,KiteSet: A Dataset,We release "
                                    "KiteSet.\nk2,Half A Row,\n")
    (folder / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "dup.jsonl").write_text(jsonl(
        {"id": "d1", "title": "Faster Decoding with Draft Trees",
         "abstract": "A different abstract for the same title."},
        {"id": "d2", "arxiv_id": "2610.00001", "title": "Another Paper Entirely",
         "abstract": "We propose AnotherNet."}))
    return folder


@pytest.fixture(scope="module")
def skip_build(listings: Path) -> tuple[Path, subprocess.CompletedProcess]:
    out = listings.parent / "out"
    result = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", str(listings), str(listings / "gone.jsonl"),
         "-o", str(out), "--on-error", "skip", "--no-evidence", "-j", "1"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out, result


def expected_skipped(folder: Path) -> list[str]:
    return [f"record skipped: {folder}/bad.csv:3: record has no abstract",
            f"file skipped: {folder}/binary.csv: binary file, expected text",
            f"record skipped: {folder}/broken.jsonl:2: invalid JSON: Unterminated string "
            "starting at (column 23)",
            f"record skipped: {folder}/broken.jsonl:3: record has no abstract",
            f"record skipped: {folder}/lonely.txt:3: title has no abstract: 'A Lonely Title'",
            f"file skipped: {folder}/gone.jsonl: no such file or folder"]


EXPECTED_WARNINGS = [
    "duplicate arXiv id 2610.00001, different titles: dup.jsonl:2 and listing-b.jsonl:1 "
    "(kept as two papers)",
    "same title, different abstract: dup.jsonl:1 and listing-d.atom:4 (merged, the first "
    "abstract kept)",
]


def test_skipped_records_and_files_are_listed_in_the_report(skip_build, listings: Path):
    out, _ = skip_build
    report = (out / "report.md").read_text(encoding="utf-8")
    skipped = expected_skipped(listings)
    section = "\n".join([f"## Skipped input ({len(skipped)})", "",
                         *[f"- {line}" for line in skipped], ""])
    assert section in report
    duplicates = "\n".join([f"## Duplicates with different content ({len(EXPECTED_WARNINGS)})",
                            "", *[f"- {line}" for line in EXPECTED_WARNINGS], ""])
    assert duplicates in report


def test_the_rest_of_each_file_is_kept(skip_build):
    out, _ = skip_build
    with (out / "papers.csv").open(encoding="utf-8") as table:
        titles = sorted(row["title"] for row in csv.DictReader(table))
    assert titles == sorted([
        "QuillNet: Sparse Adapters for Fast Math Reasoning",
        "Counting Stars: A Benchmark for Visual Enumeration", "Grade-School Math Without Tears",
        "Pile Up: Filtering Web Text for Code", "Faster Decoding with Draft Trees",
        "NovaNet: A Model", "OrbitBench: A Benchmark", "ZephyrNet: Fast Models",
        "KiteSet: A Dataset", "Another Paper Entirely"])


def test_the_cli_summary_counts_and_lists_them(skip_build, listings: Path):
    _, result = skip_build
    assert "│ skipped records     │ 6   │" in result.stdout
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert warnings == [f"warning: {line}"
                        for line in [*expected_skipped(listings), *EXPECTED_WARNINGS]]


def test_identical_duplicates_merge_without_a_warning():
    corpus = ingest([MINI])
    assert corpus.warnings == [] and corpus.skipped == []
    stars = next(p for p in corpus.papers if p.title.startswith("Counting Stars"))
    assert [x.source for x in stars.listings] == ["listing-a.txt", "listing-b.jsonl"]


def test_record_ids_conflict_within_a_file_not_across_files(tmp_path: Path):
    (tmp_path / "a.jsonl").write_text(jsonl(
        {"id": 7, "title": "First Title", "abstract": "One."},
        {"id": 7, "title": "Second Title", "abstract": "Two."}))
    (tmp_path / "b.jsonl").write_text(jsonl({"id": 7, "title": "Third Title", "abstract": "3."}))
    corpus = ingest([tmp_path])
    assert corpus.warnings == ["duplicate id 7, different titles: a.jsonl:1 and a.jsonl:2 "
                               "(kept as two papers)"]
    assert len(corpus.papers) == 3


def test_skip_goes_on_after_a_bad_atom_entry(tmp_path: Path):
    feed = tmp_path / "feed.atom"
    feed.write_text('<feed xmlns="http://www.w3.org/2005/Atom">\n'
                    "<entry><title>No Summary</title></entry>\n"
                    "<entry><title>KiteNet</title><summary>We propose KiteNet.</summary></entry>\n"
                    "</feed>\n")
    corpus = ingest([feed], on_error="skip")
    assert [p.title for p in corpus.papers] == ["KiteNet"]
    assert [str(e) for e in corpus.skipped] == [f"{feed}:2: record has no abstract"]
