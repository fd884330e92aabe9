"""Ingest: listing files -> distinct Paper records with provenance.

In: paths to Hugging Face Daily Papers text dumps (.txt), JSON Lines (.jsonl), CSV (.csv) or
arXiv Atom feeds (.atom, .xml), or folders of them. Out: `Corpus`, the papers deduplicated by
normalized title (each keeps every listing it came from), the number of listing entries read,
the problems skipped with `on_error="skip"`, and warnings about duplicates whose content
differs.

Bad input raises `InputError` naming the file, the line and the cause; nothing is skipped
silently. Files are read a line at a time: no line may be longer than `MAX_LINE_BYTES`
(1 MiB), so a runaway line is refused after reading 1 MiB, whatever its length. Text is
UTF-8; an Atom feed may declare another ASCII-compatible encoding in its XML declaration.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import BinaryIO, Literal
from xml.parsers.expat import ErrorString

from defusedxml import DefusedXmlException, DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import DefusedXMLParser

from kg.model import Listing, Paper, entity_key, normalize_title

OnError = Literal["fail", "skip"]

LISTING_SUFFIXES = {".txt": "daily", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
                    ".atom": "atom", ".xml": "atom"}
MAX_LINE_BYTES = 1 << 20  # a title or abstract is a few KB; 1 MiB bounds memory and time
MAX_FIELD_CHARS = 1_000_000  # spaCy's default max_length
SNIFF_BYTES = 8192
_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
DATE_LINE = re.compile(rf"^(?:{_MONTHS})[a-z]*\.? \d{{1,2}}(?:, \d{{4}})?$")
DAILY_HEADER = {"new", "get trending papers in your email inbox!", "subscribe", "daily papers",
                "byak and the research community"}
# characters XML 1.0 cannot carry (graph.graphml would be written, then fail to parse) and
# UTF-8 cannot encode (lone surrogates, which JSON escapes can make)
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
XML_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
TITLE_SHAPED_CHARS = 300  # Daily Papers titles are under 150 characters, abstracts over 1,000


class InputError(Exception):
    """A problem with an input file: `str()` is the one line shown to the user."""

    def __init__(self, path: Path | str, line: int | None, cause: str):
        self.path, self.line, self.cause = str(path), line, cause
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {cause}")


class RecordError(InputError):
    """A problem confined to one record: the reader can go on with the next one."""


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

    @property
    def place(self) -> str:
        return f"{self.listing.source}:{self.listing.line}"

    @cached_property
    def norm(self) -> str:
        """The normalized title: what deduplication compares."""
        return normalize_title(self.title)


Item = RawRecord | RecordError
Lines = Iterator[tuple[int, str]]


@dataclass
class Corpus:
    papers: list[Paper]
    listings: int
    skipped: list[InputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Runs of whitespace (any that str.isspace knows, as the regex \\s+) as one space.

    >>> clean(" Scaling\\u00a0 laws\\n\\tfor  LLMs ")
    'Scaling laws for LLMs'
    """
    return " ".join(text.split())  # 5x faster than re.sub on an abstract


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
        try:
            if path.is_dir():
                files.extend(folder_listings(path))
            elif path.exists():
                files.append(path)
            else:
                raise InputError(path, None, "no such file or folder")
        except OSError as err:  # a folder on the way that may not be entered
            raise InputError(path, None, f"cannot read: {err.strerror}") from err
    return files


def folder_listings(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in LISTING_SUFFIXES)
    if not found:
        raise InputError(folder, None, "folder holds no listing files "
                         f"({', '.join(sorted(LISTING_SUFFIXES))})")
    return found


@contextmanager
def open_listing(path: Path) -> Iterator[tuple[BinaryIO, bytes]]:
    """The open file and its first bytes, refused early if binary or UTF-16/32."""
    try:
        with path.open("rb") as stream:
            head = stream.read(SNIFF_BYTES)
            if not head.strip() and not any(chunk.strip() for chunk in iter(
                    lambda: stream.read(SNIFF_BYTES), b"")):
                raise InputError(path, None, "file is empty")
            if head.startswith(UTF16_BOMS):
                raise InputError(path, 1, "UTF-16/UTF-32 text, expected UTF-8")
            if b"\x00" in head:
                raise InputError(path, None, "binary file, expected text")
            stream.seek(0)
            yield stream, head
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from err


def read_lines(path: Path, stream: BinaryIO, encoding: str = "utf-8") -> Lines:
    """(line number, text) of every line, each at most MAX_LINE_BYTES long and valid text."""
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(path, number, f"line is longer than {MAX_LINE_BYTES:,} bytes "
                             "(the limit of a line)")
        if b"\x00" in raw:
            raise InputError(path, number, "binary data (a NUL byte), expected text")
        yield number, decode_line(path, number, raw, encoding)


def decode_line(path: Path, number: int, raw: bytes, encoding: str) -> str:
    codec = "utf-8-sig" if number == 1 and encoding == "utf-8" else encoding
    try:
        return raw.decode(codec)
    except UnicodeError as err:  # UnicodeDecodeError, or a codec's own (idna)
        name = "UTF-8" if encoding == "utf-8" else encoding
        start = getattr(err, "start", None)
        where = f" (byte {raw[start]:#04x} at column {start + 1})" if start is not None else ""
        raise InputError(path, number, f"not {name} text{where}") from err


def declared_encoding(path: Path, head: bytes) -> str:
    """The encoding an XML declaration names (UTF-8 without one); ASCII-compatible only."""
    match = XML_ENCODING.match(head.removeprefix(codecs.BOM_UTF8))
    if not match:
        return "utf-8"
    name = match.group(1).decode("ascii")
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        raise InputError(path, 1, f"declares an unknown encoding {name!r}") from None
    try:
        ascii_compatible = "<?xml\n".encode(codec) == b"<?xml\n"
    except (LookupError, UnicodeError):  # bytes-to-bytes codecs (base64), "undefined"
        ascii_compatible = False
    if not ascii_compatible:
        raise InputError(path, 1, f"declares encoding {name!r}; expected UTF-8 or another "
                         "ASCII-compatible encoding")
    return codec


def text_field(path: Path, line: int, name: str, value: object) -> str | None:
    """A field's text with whitespace collapsed, None if absent; refused if unusable."""
    if value is None or value == "":
        return None
    text = clean(value if isinstance(value, str) else str(value))
    if len(text) > MAX_FIELD_CHARS:
        raise RecordError(path, line, f"{name} is longer than {MAX_FIELD_CHARS:,} characters")
    bad = _FORBIDDEN_CHARS.search(text)
    if bad:
        raise RecordError(path, line, f"{name} holds the character U+{ord(bad.group()):04X} "
                          f"(column {bad.start() + 1}), which no text output can carry")
    return text


def _authors(path: Path, line: int, value: object) -> list[str]:
    if isinstance(value, str):
        value = re.split(r";|,| and ", value)
    if not isinstance(value, list):
        return []
    names = (text_field(path, line, "author", name) for name in value)
    return [name for name in names if name]


def _identifier(path: Path, line: int, value: object) -> str | int | None:
    """Ids keep their JSON type (the gold format echoes them back as given)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return text_field(path, line, "id", value)


def record_from_fields(path: Path, line: int, fields: object, date: str | None = None
                       ) -> RawRecord:
    """Build a record from id/title/abstract(+authors, date, url, arxiv_id) fields."""
    if not isinstance(fields, dict):
        raise RecordError(path, line, "record is not an object with title and abstract")
    texts = {}
    for name in ("title", "abstract"):
        value = fields.get(name)
        texts[name] = text_field(path, line, name, value) if isinstance(value, str) else None
        if not texts[name]:
            raise RecordError(path, line, f"record has no {name}")
    optional = {name: text_field(path, line, name, fields.get(name))
                for name in ("date", "url", "arxiv_id")}
    record = RawRecord(
        title=texts["title"], abstract=texts["abstract"],
        listing=Listing(source=path.name, line=line, date=date),
        id=_identifier(path, line, fields.get("id")),
        authors=_authors(path, line, fields.get("authors")), **optional)
    if not record.norm:
        raise RecordError(path, line, "title has no letters or digits")
    return record


def record_or_error(path: Path, line: int, fields: object, date: str | None = None) -> Item:
    try:
        return record_from_fields(path, line, fields, date)
    except RecordError as err:
        return err


def daily_lines(lines: Lines) -> tuple[str | None, list[tuple[int, str]]]:
    """The listing's date line, and the non-blank lines after the header."""
    date, rest = None, []
    for number, text in lines:
        line = clean(text)
        if not line:
            continue
        if rest or date:
            rest.append((number, line))
        elif DATE_LINE.match(line):
            date = line
        elif line.lower() not in DAILY_HEADER:
            rest.append((number, line))
    return date, rest


def title_shaped(line: str) -> bool:
    return len(line) <= TITLE_SHAPED_CHARS and not line.endswith(".")


def read_daily_papers(path: Path, lines: Lines) -> Iterator[Item]:
    """Title / abstract pairs separated by blank lines, after the header and the date line.

    A title without an abstract shows as two title-shaped lines (short, no final period)
    followed by an abstract-shaped one; the lone title is reported and reading goes on.
    """
    date, rest = daily_lines(lines)
    index = 0
    while index < len(rest):
        number, title = rest[index]
        following = rest[index + 1][1] if index + 1 < len(rest) else None
        after = rest[index + 2][1] if index + 2 < len(rest) else None
        if following is None or (title_shaped(following) and after is not None
                                 and not title_shaped(after)):
            yield RecordError(path, number, f"title has no abstract: {title[:60]!r}")
            index += 1
            continue
        yield record_or_error(path, number, {"title": title, "abstract": following}, date)
        index += 2


def read_jsonl(path: Path, lines: Lines) -> Iterator[Item]:
    for number, line in lines:
        if not line.strip():
            continue
        try:
            fields = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as err:
            yield RecordError(path, number, f"invalid JSON: {err.msg} (column {err.colno})")
            continue
        except (ValueError, RecursionError) as err:  # huge numbers, deep nesting
            yield RecordError(path, number, f"invalid JSON: {type(err).__name__}")
            continue
        yield record_or_error(path, number, fields)


def read_csv(path: Path, lines: Lines) -> Iterator[Item]:
    csv.field_size_limit(MAX_FIELD_CHARS + 1)  # longer fields are refused by text_field
    reader = csv.DictReader(text for _, text in lines)
    try:
        missing = {"title", "abstract"} - set(reader.fieldnames or [])
        if missing:
            raise InputError(path, 1, f"CSV header lacks column(s): {', '.join(sorted(missing))}")
        for fields in reader:
            yield record_or_error(path, reader.line_num, fields)
    except csv.Error as err:
        raise InputError(path, reader.line_num, f"invalid CSV: {err}") from err


ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_ID = re.compile(r"arxiv\.org/abs/([^\s/v]+(?:/\d+)?)(?:v\d+)?")


def atom_fields(entry: ET.Element) -> dict:
    url = entry.findtext(f"{ATOM}id") or ""
    match = ARXIV_ID.search(url)
    return {
        "id": match.group(1) if match else url, "url": url,
        "title": entry.findtext(f"{ATOM}title"), "abstract": entry.findtext(f"{ATOM}summary"),
        "date": (entry.findtext(f"{ATOM}published") or "")[:10],
        "authors": [a.findtext(f"{ATOM}name") or "" for a in entry.iter(f"{ATOM}author")],
        "arxiv_id": match.group(1) if match else None,
    }


def unsafe_xml(err: DefusedXmlException) -> str:
    if isinstance(err, DTDForbidden):
        return "XML document type declarations are refused"
    if isinstance(err, EntitiesForbidden):
        if err.sysid or err.pubid:
            return f"XML external entity {err.name!r} refused (it could read files or URLs)"
        return f"XML entity declaration {err.name!r} refused (entity expansion is unsafe)"
    return "XML external reference refused"


@dataclass
class AtomEntries:
    """Turns the parser's events into records: checks the root element, remembers the line
    of each open <entry> tag (an entry is reported at that line)."""

    path: Path
    root: str | None = None
    starts: list[int] = field(default_factory=list)

    def take(self, parser: ET.XMLPullParser, number: int) -> Iterator[Item]:
        for event, element in parser.read_events():
            if self.root is None:
                self.root = element.tag
                if element.tag != f"{ATOM}feed":
                    raise InputError(self.path, number,
                                     f"not an Atom feed (root element <{element.tag}>)")
            if element.tag != f"{ATOM}entry":
                continue
            if event == "start":
                self.starts.append(number)
            else:
                yield record_or_error(self.path, self.starts.pop(), atom_fields(element))
                element.clear()  # the entry is read: memory stays flat on long feeds


def read_atom(path: Path, lines: Lines) -> Iterator[Item]:
    """arXiv API / Atom feed entries: title, summary, id, published, authors, link.

    Parsed with defusedxml as the lines come: entity declarations (billion laughs, external
    entities) are refused before anything is expanded or fetched."""
    parser = ET.XMLPullParser(("start", "end"), _parser=DefusedXMLParser(
        target=ET.TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True))
    entries, number = AtomEntries(path), 0
    try:
        for number, text in lines:
            parser.feed(text)
            yield from entries.take(parser, number)
        parser.close()
        yield from entries.take(parser, number)
    except ET.ParseError as err:
        line, column = err.position
        raise InputError(path, line, f"malformed XML: {ErrorString(err.code)} "
                         f"(column {column + 1})") from err
    except DefusedXmlException as err:
        raise InputError(path, number, unsafe_xml(err)) from err


READERS = {"daily": read_daily_papers, "jsonl": read_jsonl, "csv": read_csv, "atom": read_atom}


def listing_items(path: Path) -> Iterator[Item]:
    """Every record of one listing file in file order, and a RecordError for each record
    that cannot be read; a problem with the whole file raises InputError."""
    kind = LISTING_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise InputError(path, None, "unknown listing format (expected "
                         f"{', '.join(sorted(LISTING_SUFFIXES))})")
    with open_listing(path) as (stream, head):
        encoding = declared_encoding(path, head) if kind == "atom" else "utf-8"
        yield from READERS[kind](path, read_lines(path, stream, encoding))


def read_listing(path: Path) -> Iterator[RawRecord]:
    """Every record of one listing file, in file order; the first problem raises."""
    for item in listing_items(path):
        if isinstance(item, RecordError):
            raise item
        yield item


def merge(records: Iterable[RawRecord], papers: dict[str, Paper] | None = None) -> list[Paper]:
    """Deduplicate by normalized title: a paper keeps every listing, the first id a record
    gives, an ISO date over a listing's date line, and the first known other fields.

    `papers` (normalized title -> paper) are papers merged before, which the records then
    join, in place: `kg add` merges a new listing into a build's papers so."""
    papers = {} if papers is None else papers
    for record in records:
        norm = record.norm
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


def conflicts(records: Iterable[RawRecord]) -> list[str]:
    """Duplicates whose content differs, one warning each naming both places.

    The same normalized title with another abstract is merged (the first abstract kept);
    the same arXiv id (anywhere) or record id (within a file) with another title stays two
    papers. Identical duplicates, such as a paper in two daily listings, are not reported.
    """
    warnings: list[str] = []
    by_title: dict[str, RawRecord] = {}
    by_id: dict[tuple, RawRecord] = {}
    for record in records:
        norm = record.norm
        first = by_title.setdefault(norm, record)
        if first.abstract != record.abstract:
            warnings.append(f"same title, different abstract: {first.place} and "
                            f"{record.place} (merged, the first abstract kept)")
        ids = [(("arXiv id", record.arxiv_id), "")] if record.arxiv_id else []
        if record.id is not None:
            ids.append((("id", record.id), record.listing.source))
        for (label, value), scope in ids:
            first = by_id.setdefault((label, value, scope), record)
            if first.norm != norm:
                warnings.append(f"duplicate {label} {value!s}, different titles: {first.place} "
                                f"and {record.place} (kept as two papers)")
    return list(dict.fromkeys(warnings))


def ingest(inputs: Iterable[Path | str], on_error: OnError = "fail") -> Corpus:
    """Read every listing under `inputs` into a deduplicated corpus.

    With on_error="fail" (default) the first problem raises InputError. With "skip", a
    record that cannot be read is skipped and the rest of its file kept; a file (or input
    path) that cannot be read is skipped whole; each lands in `Corpus.skipped`.
    """
    records: list[RawRecord] = []
    skipped: list[InputError] = []
    for given in inputs:
        try:
            files = listing_files([Path(given)])
        except InputError as err:
            files = []
            skip_or_raise(err, on_error, skipped)
        for path in files:
            try:
                found, record_errors = read_file_records(path, on_error)
            except InputError as err:
                skip_or_raise(err, on_error, skipped)
                continue
            records.extend(found)
            skipped.extend(record_errors)
    return Corpus(papers=merge(records), listings=len(records), skipped=skipped,
                  warnings=conflicts(records))


def skip_or_raise(err: InputError, on_error: OnError, skipped: list[InputError]) -> None:
    if on_error == "fail":
        raise err
    skipped.append(err)


def read_file_records(path: Path, on_error: OnError) -> tuple[list[RawRecord], list[RecordError]]:
    """One file's records and (with "skip") its unreadable records; with "fail" the first
    problem raises. A whole-file problem raises either way, so none of its records count."""
    records: list[RawRecord] = []
    errors: list[RecordError] = []
    for item in listing_items(path):
        if isinstance(item, RecordError):
            skip_or_raise(item, on_error, errors)
        else:
            records.append(item)
    return records, errors


def describe_skipped(err: InputError) -> str:
    """A line of the report: whether a record or a whole file was skipped, and why."""
    return f"{'record' if isinstance(err, RecordError) else 'file'} skipped: {err}"
