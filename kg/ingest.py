"""Ingest: listing files -> distinct Paper records with provenance.

In: paths to Hugging Face Daily Papers text dumps (.txt), JSON Lines (.jsonl), CSV (.csv) or
arXiv Atom feeds (.atom, .xml), or folders of them. Out: `Corpus`, the papers deduplicated by
normalized title (each keeps every listing it came from), the number of listing entries read,
and the records skipped with `on_error="skip"`.

Bad input raises `InputError` naming the file, the line and the cause; nothing is skipped
silently.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from defusedxml import ElementTree as SafeET

from kg.model import Listing, Paper, entity_key, normalize_title

OnError = Literal["fail", "skip"]

LISTING_SUFFIXES = {".txt": "daily", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
                    ".atom": "atom", ".xml": "atom"}
MAX_FIELD_CHARS = 1_000_000
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
DATE_LINE = re.compile(rf"^(?:{_MONTHS})[a-z]*\.? \d{{1,2}}(?:, \d{{4}})?$")
DAILY_HEADER = {"new", "get trending papers in your email inbox!", "subscribe", "daily papers",
                "byak and the research community"}
_SPACE = re.compile(r"\s+")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


class InputError(Exception):
    """A problem with an input file: `str()` is the one line shown to the user."""

    def __init__(self, path: Path | str, line: int | None, cause: str):
        self.path, self.line, self.cause = str(path), line, cause
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {cause}")


@dataclass
class RawRecord:
    """One paper as a reader found it, before deduplication."""

    title: str
    abstract: str
    listing: Listing
    id: str | int | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    url: str | None = None
    arxiv_id: str | None = None


@dataclass
class Corpus:
    papers: list[Paper]
    listings: int
    skipped: list[InputError] = field(default_factory=list)


def clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def paper_key(title: str) -> str:
    """Readable and stable: the first words of the title and a hash of its normalized form.

    >>> paper_key("SpeechT5: Unified-Modal Encoder-Decoder Pre-Training")
    'speecht5-unified-modal-encoder-decoder-d129cb29'
    """
    words = ""
    for word in entity_key(title).split("-"):
        if words and len(words) + len(word) > 40:
            break
        words = f"{words}-{word}" if words else word
    digest = hashlib.sha1(normalize_title(title).encode()).hexdigest()[:8]
    return f"{words}-{digest}"


def listing_files(inputs: Iterable[Path]) -> list[Path]:
    """Expand folders into the listing files they hold (sorted); keep files as given."""
    files: list[Path] = []
    for path in inputs:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in LISTING_SUFFIXES)
            if not found:
                raise InputError(path, None, "folder holds no listing files "
                                 f"({', '.join(sorted(LISTING_SUFFIXES))})")
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise InputError(path, None, "no such file or folder")
    return files


def read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from err
    if not data.strip():
        raise InputError(path, None, "file is empty")
    if b"\x00" in data[:8192]:
        raise InputError(path, None, "binary file, expected text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, line, f"not UTF-8 text (byte {data[err.start]:#04x})") from err
    return text


def read_daily_papers(path: Path, text: str) -> Iterator[RawRecord]:
    """Title / abstract pairs separated by blank lines, after the header and the date line."""
    lines = text.splitlines()
    start, date = 0, None
    for number, line in enumerate(lines):
        stripped = line.strip()
        if DATE_LINE.match(stripped):
            start, date = number + 1, stripped
            break
        if stripped and stripped.lower() not in DAILY_HEADER:
            start = number
            break
    pending: tuple[int, str] | None = None
    for number in range(start, len(lines)):
        stripped = clean(lines[number])
        if not stripped:
            continue
        if pending is None:
            pending = (number + 1, stripped)
            continue
        title_line, title = pending
        pending = None
        yield RawRecord(title=title, abstract=stripped,
                        listing=Listing(source=path.name, line=title_line, date=date))
    if pending is not None:
        raise InputError(path, pending[0], f"title has no abstract: {pending[1][:60]!r}")


def _authors(value: object) -> list[str]:
    if isinstance(value, list):
        return [clean(str(name)) for name in value if str(name).strip()]
    if isinstance(value, str) and value.strip():
        return [clean(name) for name in re.split(r";|,| and ", value) if name.strip()]
    return []


def _optional(value: object) -> str | None:
    return clean(str(value)) if value not in (None, "") else None


def _identifier(value: object) -> str | int | None:
    """Ids keep their JSON type (the gold format echoes them back as given)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else _optional(value)


def record_from_fields(path: Path, line: int, fields: dict, date: str | None = None) -> RawRecord:
    """Build a record from id/title/abstract(+authors, date, url, arxiv_id) fields."""
    if not isinstance(fields, dict):
        raise InputError(path, line, "record is not an object with title and abstract")
    for name in ("title", "abstract"):
        value = fields.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InputError(path, line, f"record has no {name}")
        if len(value) > MAX_FIELD_CHARS:
            raise InputError(path, line, f"{name} is longer than {MAX_FIELD_CHARS:,} characters")
    return RawRecord(
        title=clean(fields["title"]), abstract=clean(fields["abstract"]),
        listing=Listing(source=path.name, line=line, date=date),
        id=_identifier(fields.get("id")), authors=_authors(fields.get("authors")),
        date=_optional(fields.get("date")), url=_optional(fields.get("url")),
        arxiv_id=_optional(fields.get("arxiv_id")),
    )


def read_jsonl(path: Path, text: str) -> Iterator[RawRecord]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as err:
            raise InputError(path, number, f"invalid JSON: {err.msg}") from err
        yield record_from_fields(path, number, fields)


def read_csv(path: Path, text: str) -> Iterator[RawRecord]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = {"title", "abstract"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(path, 1, f"CSV header lacks column(s): {', '.join(sorted(missing))}")
    try:
        for fields in reader:
            yield record_from_fields(path, reader.line_num, fields)
    except csv.Error as err:
        raise InputError(path, reader.line_num, f"invalid CSV: {err}") from err


ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_ID = re.compile(r"arxiv\.org/abs/([^\s/v]+(?:/\d+)?)(?:v\d+)?")


def read_atom(path: Path, text: str) -> Iterator[RawRecord]:
    """arXiv API / Atom feed entries: title, summary, id, published, authors, link."""
    try:
        root = SafeET.fromstring(text.encode("utf-8"))
    except SafeET.ParseError as err:
        line = err.position[0] if getattr(err, "position", None) else None
        raise InputError(path, line, f"malformed XML: {err}") from err
    except Exception as err:  # defusedxml's refusals (entities, DTDs) share no base class
        raise InputError(path, None, f"unsafe XML refused: {type(err).__name__}") from err
    for number, entry in enumerate(root.iter(f"{ATOM}entry"), start=1):
        url = entry.findtext(f"{ATOM}id") or ""
        match = ARXIV_ID.search(url)
        fields = {
            "id": match.group(1) if match else url, "url": url,
            "title": entry.findtext(f"{ATOM}title"), "abstract": entry.findtext(f"{ATOM}summary"),
            "date": (entry.findtext(f"{ATOM}published") or "")[:10],
            "authors": [a.findtext(f"{ATOM}name") or "" for a in entry.iter(f"{ATOM}author")],
            "arxiv_id": match.group(1) if match else None,
        }
        yield record_from_fields(path, number, fields)


READERS = {"daily": read_daily_papers, "jsonl": read_jsonl, "csv": read_csv, "atom": read_atom}


def read_listing(path: Path) -> Iterator[RawRecord]:
    """Every record of one listing file, in file order."""
    kind = LISTING_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(path, None, "unknown listing format (expected "
                         f"{', '.join(sorted(LISTING_SUFFIXES))})")
    yield from READERS[kind](path, read_text(path))


def merge(records: Iterable[RawRecord]) -> list[Paper]:
    """Deduplicate by normalized title: a paper keeps every listing, the first id a record
    gives, an ISO date over a listing's date line, and the first known other fields."""
    papers: dict[str, Paper] = {}
    for record in records:
        norm = normalize_title(record.title)
        paper = papers.get(norm)
        if paper is None:
            key = paper_key(record.title)
            papers[norm] = Paper(
                key=key, id=record.id or key, title=record.title, abstract=record.abstract,
                authors=record.authors, date=record.date or record.listing.date, url=record.url,
                arxiv_id=record.arxiv_id, listings=[record.listing])
            continue
        paper.listings.append(record.listing)
        if paper.id == paper.key and record.id is not None:
            paper.id = record.id
        if record.date and ISO_DATE.match(record.date) and not (
                paper.date and ISO_DATE.match(paper.date)):
            paper.date = record.date
        for name in ("url", "arxiv_id", "date"):
            if getattr(paper, name) is None:
                setattr(paper, name, getattr(record, name))
        paper.authors = paper.authors or record.authors
    return list(papers.values())


def ingest(inputs: Iterable[Path | str], on_error: OnError = "fail") -> Corpus:
    """Read every listing under `inputs` into a deduplicated corpus.

    With on_error="skip" a file that cannot be read is skipped and reported in
    `Corpus.skipped`; with "fail" (default) the first problem raises InputError.
    """
    records: list[RawRecord] = []
    skipped: list[InputError] = []
    for path in listing_files(Path(p) for p in inputs):
        try:
            records.extend(read_listing(path))
        except InputError as err:
            if on_error == "fail":
                raise
            skipped.append(err)
    return Corpus(papers=merge(records), listings=len(records), skipped=skipped)
