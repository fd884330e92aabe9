"""Every kind of bad input, through the real `kg build` process, after a good build.

Each case writes one broken listing, runs `kg build BROKEN -o OUT` into the folder of an
earlier good build, and checks the one line on stderr (file, line, cause), exit status 2,
and that every file of the earlier build is byte-for-byte what it was.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from kg.ingest import MAX_LINE_BYTES, InputError, ingest

from .conftest import MINI

ATOM_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
FEED = '<feed xmlns="http://www.w3.org/2005/Atom">\n'
ENTRY = ("<entry><id>http://arxiv.org/abs/2611.00001v1</id><title>NovaNet: A Model</title>"
         "<summary>We propose NovaNet, a model.</summary></entry>\n")
GOOD_JSON = json.dumps({"id": "g1", "title": "NovaNet: A Model",
                        "abstract": "We propose NovaNet, a model."})
LONG_ABSTRACT = "We propose NovaNet. " * 20  # abstract-shaped: long, ends with a period
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE feed [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">\n'
              for i in range(1, 10))
    + "]>\n" + FEED + "<entry><title>&lol9;</title><summary>s</summary></entry></feed>\n")
EXTERNAL_ENTITY = ('<?xml version="1.0"?>\n<!DOCTYPE feed [\n'
                   ' <!ENTITY secret SYSTEM "file:///etc/passwd">\n]>\n'
                   + FEED + "<entry><title>&secret;</title><summary>s</summary></entry></feed>\n")


@dataclass
class Case:
    name: str  # file name of the broken listing
    content: bytes | tuple[bytes, bytes] | None  # (before, after) a 50 MB line; None: no file
    where: str  # what follows the path in the message: ":LINE: cause" or ": cause"

    @property
    def id(self) -> str:
        return self.name


# the bad inputs of the issue, each through a real `kg build` process
CASES = [
    Case("missing.jsonl", None, ": no such file or folder"),
    Case("unreadable.jsonl", GOOD_JSON.encode() + b"\n", ": cannot read: Permission denied"),
    Case("empty.txt", b"", ": file is empty"),
    Case("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01", ": binary file, "
         "expected text"),
    Case("latin1.txt", "Aug 1\n\nCaf\xe9Net: A Model\n\nWe propose it.\n".encode("latin-1"),
         ":3: not UTF-8 text (byte 0xe9 at column 4)"),
    Case("ascii-declared.atom", ('<?xml version="1.0" encoding="US-ASCII"?>\n' + FEED
                                 + "<entry><title>Caf\xe9</title></entry></feed>\n"
                                 ).encode("latin-1"),
         ":3: not ascii text (byte 0xe9 at column 18)"),
    Case("truncated.jsonl", f'{GOOD_JSON}\n{{"title": "Cut", "abstr'.encode(),
         ":2: invalid JSON: Unterminated string starting at (column 18)"),
    Case("no-title.jsonl", f'{GOOD_JSON}\n{{"abstract": "Only an abstract."}}\n'.encode(),
         ":2: record has no title"),
    Case("no-abstract.csv", b"id,title,abstract\nc1,NovaNet: A Model,\n",
         ":2: record has no abstract"),
    Case("no-columns.csv", b"id,title,summary\nc1,T,S\n",
         ":1: CSV header lacks column(s): abstract"),
    Case("lonely-title-inside.txt", f"Aug 1\n\nA Lonely Title\n\nNovaNet: A Model\n\n"
                                    f"{LONG_ABSTRACT}\n".encode(),
         ":3: title has no abstract: 'A Lonely Title'"),
    Case("markup.txt", b"Aug 1\n\nA [/] title [bold]\n",
         ":3: title has no abstract: 'A [/] title [bold]'"),
    Case("long-line.txt", (b"Aug 1\n\n", b"\n\nabstract\n"),
         f":3: line is longer than {MAX_LINE_BYTES:,} bytes (the limit of a line)"),
    Case("malformed.atom", (ATOM_HEAD + FEED + "<entry><title>T</title>\n</feed>\n").encode(),
         ":4: malformed XML: mismatched tag (column 3)"),
    Case("billion-laughs.atom", BILLION_LAUGHS.encode(),
         ":3: XML entity declaration 'lol' refused (entity expansion is unsafe)"),
    Case("external-entity.xml", EXTERNAL_ENTITY.encode(),
         ":3: XML external entity 'secret' refused (it could read files or URLs)"),
]
# more of the same kinds, checked on the readers directly (a process costs 1.5 s)
READER_CASES = [
    Case("blank.csv", b"\n  \n\t\n", ": file is empty"),
    Case("notes.pdf", b"%PDF-1.4\n", ": unknown listing format (expected .atom, .csv, .jsonl, "
         ".ndjson, .txt, .xml)"),
    Case("latin1.jsonl", f"{GOOD_JSON}\n{{\"title\": \"Caf\xe9\"}}\n".encode("latin-1"),
         ":2: not UTF-8 text (byte 0xe9 at column 15)"),
    Case("utf16.csv", "title,abstract\nT,A\n".encode("utf-16"), ":1: UTF-16/UTF-32 text, "
         "expected UTF-8"),
    Case("utf16-declared.atom", ('<?xml version="1.0" encoding="UTF-16"?>\n' + FEED).encode(),
         ":1: declares encoding 'UTF-16'; expected UTF-8 or another ASCII-compatible encoding"),
    Case("base64-declared.atom", ('<?xml version="1.0" encoding="base64"?>\n' + FEED).encode(),
         ":1: declares encoding 'base64'; expected UTF-8 or another ASCII-compatible encoding"),
    Case("unknown-encoding.atom", b'<?xml version="1.0" encoding="klingon"?>\n<feed/>\n',
         ":1: declares an unknown encoding 'klingon'"),
    Case("invalid.jsonl", b'{"title": "T", "abstract": "A",}\n',
         ":1: invalid JSON: Expecting property name enclosed in double quotes (column 32)"),
    Case("array.jsonl", b'["title", "abstract"]\n',
         ":1: record is not an object with title and abstract"),
    Case("no-summary.atom", (ATOM_HEAD + FEED + ENTRY + "<entry><title>Lonely</title>\n"
                             "</entry>\n</feed>\n").encode(), ":4: record has no abstract"),
    Case("lonely-title-last.txt", b"Aug 1\n\nNovaNet: A Model\n\nWe propose it.\n\n"
                                  b"A Lonely Title\n", ":7: title has no abstract: "
         "'A Lonely Title'"),
    Case("nul-escape.jsonl", b'{"title": "Nova\\u0000Net", "abstract": "A"}\n',
         ":1: title holds the character U+0000 (column 5), which no text output can carry"),
    Case("surrogate.jsonl", b'{"title": "T", "abstract": "half \\ud800 a pair"}\n',
         ":1: abstract holds the character U+D800 (column 6), which no text output can carry"),
    Case("long-line.jsonl", (b'{"title": "', b'"}'),
         f":1: line is longer than {MAX_LINE_BYTES:,} bytes (the limit of a line)"),
    Case("truncated.atom", (ATOM_HEAD + FEED + ENTRY).encode(),
         ":4: malformed XML: no element found (column 1)"),
    Case("rss.xml", b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n',
         ":2: not an Atom feed (root element <rss>)"),
]


def write(path: Path, content: bytes | tuple[bytes, bytes] | None) -> None:
    if isinstance(content, tuple):
        with path.open("wb") as out:
            out.write(content[0])
            for _ in range(50):
                out.write(b"x" * 2 ** 20)
            out.write(content[1])
    elif content is not None:
        path.write_bytes(content)


def kg_build(*args: str, drop_read_override: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", "build", *args], capture_output=True,
                          text=True, timeout=300,
                          preexec_fn=without_read_override if drop_read_override else None)


def without_read_override() -> None:
    """In the child: root loses CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, so a file's
    mode 000 keeps it out as it keeps out any user (tests run as root in CI)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (the store's too) and its SHA-256."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def good_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A good build of the mini corpus and the hashes of all its files."""
    out = tmp_path_factory.mktemp("bad-input") / "out"
    result = kg_build(str(MINI), "-o", str(out), "--no-evidence", "-j", "1")
    assert result.returncode == 0, result.stderr
    return out, snapshot(out)


@pytest.fixture(scope="module")
def outcomes(good_build: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
             ) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """Each case's broken file and what `kg build BROKEN -o OUT` did, run side by side (a
    process spends its 1.5 s starting up; none of them may touch OUT)."""
    out, _ = good_build
    folder = tmp_path_factory.mktemp("broken")

    def run(case: Case) -> tuple[Path, subprocess.CompletedProcess]:
        path = folder / case.name
        write(path, case.content)
        unreadable = case.name.startswith("unreadable")
        if unreadable:
            path.chmod(0)
        return path, kg_build(str(path), "-o", str(out), "--no-evidence", "-j", "1",
                              drop_read_override=unreadable and os.geteuid() == 0)

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip((case.name for case in CASES), pool.map(run, CASES), strict=True))


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input_is_one_line_exit_2_and_the_earlier_build_intact(
        case: Case, good_build: tuple[Path, dict[str, str]],
        outcomes: dict[str, tuple[Path, subprocess.CompletedProcess]]) -> None:
    out, before = good_build
    path, result = outcomes[case.name]
    assert result.stderr == f"error: {path}{case.where}\n"  # nothing else, not a blank line
    assert result.returncode == 2
    assert result.stdout == ""
    assert snapshot(out) == before
    assert not list(out.parent.glob(".out.*.tmp"))


@pytest.mark.parametrize("case", READER_CASES, ids=lambda case: case.id)
def test_readers_name_file_line_and_cause(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.name
    write(path, case.content)
    with pytest.raises(InputError) as caught:
        ingest([path])
    assert str(caught.value) == f"{path}{case.where}"
