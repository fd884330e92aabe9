"""The data model: the records every stage passes to the next.

In: nothing (this module imports no stage). Out: pydantic models

    Paper      one distinct paper (title + abstract) with where it was listed
    Mention    one occurrence of a named artifact in a paper's text, with its evidence
               (a corpus holds millions: `Mentions` keeps them compactly, as
               `MentionRecord` tuples, and hands them out as Mention models)
    Entity     one canonical artifact (model, dataset, benchmark, method) across the corpus
    GoldPaper  one line of the gold / extraction format (GUIDELINES.md)

plus the helpers that define identity: `normalize_title` (paper dedup and eval pairing) and
`normalize_form` / `entity_key` (which surface forms are the same entity).
The JSON Schemas in schemas/ are generated from these models (`kg schemas`).
"""

from __future__ import annotations

import json
import operator
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from functools import lru_cache
from json.encoder import encode_basestring as _json_string
from pathlib import Path
from typing import NamedTuple, overload

from pydantic import BaseModel, ConfigDict, Field


class EntityType(StrEnum):
    MODEL = "Model"
    DATASET = "Dataset"
    BENCHMARK = "Benchmark"
    METHOD = "Method"


class Role(StrEnum):
    INTRODUCED = "introduced"
    USED = "used"


_NON_FORM_CHARS = re.compile(r"[^\w+#]|_")
_NON_SLUG_CHARS = re.compile(r"[^\w+#.]+")


def normalize_title(title: str) -> str:
    """Lowercase, keep only letters, digits, '+' and '#' (the gold pairing rule).

    >>> normalize_title("SpeechT5: Unified-Modal Pre-Training")
    'speecht5unifiedmodalpretraining'
    >>> normalize_title("PanGu-Σ")
    'panguσ'
    """
    return _NON_FORM_CHARS.sub("", unicodedata.normalize("NFKC", title).lower())


@lru_cache(maxsize=200_000)
def normalize_form(form: str) -> str:
    """Surface forms of one entity compare equal under the same rule as titles (cached: the
    same names are compared again and again).

    >>> normalize_form("LLaMA-2") == normalize_form("Llama 2")
    True
    """
    return normalize_title(form)


def entity_key(name: str) -> str:
    """A readable, stable key for a canonical name: lowercase words joined by '-'.

    >>> entity_key("Llama 2-Chat")
    'llama-2-chat'
    >>> entity_key("HumanEval+")
    'humaneval+'
    """
    folded = unicodedata.normalize("NFKC", name).lower().replace("_", "-")
    slug = _NON_SLUG_CHARS.sub("-", folded).strip("-.")
    return slug or "x" + normalize_form(name)


class Listing(BaseModel):
    """Where a paper was seen: a file, the line its title is on, the listing's date line."""

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="file name of the listing")
    line: int = Field(description="1-based line (or record) of the paper in that file")
    date: str | None = Field(default=None, description="the listing's date as written: 'Aug 12'")


class Paper(BaseModel):
    """One distinct paper. Mention offsets index into `text` (title, blank line, abstract)."""

    key: str = Field(description="stable key derived from the normalized title")
    id: str | int = Field(description="the input's id, or the key when the input has none")
    title: str
    abstract: str
    authors: list[str] = Field(default_factory=list)
    date: str | None = None
    url: str | None = None
    arxiv_id: str | None = None
    listings: list[Listing] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.abstract}"


class Mention(BaseModel):
    """One occurrence of an artifact in a paper, with the sentence and span that show it."""

    paper: str = Field(description="key of the paper")
    surface: str = Field(description="the text as written")
    type: EntityType = Field(description="type suggested by the lexicon or the context")
    role: Role
    start: int = Field(description="character offset into Paper.text")
    end: int
    sentence: str
    rule: str = Field(description="id of the rule or lexicon that found it")
    long_form: str | None = Field(default=None, description="definition given in the text")
    canonical: str | None = Field(default=None, description="lexicon name, when known")
    family: str | None = Field(default=None, description="canonical name of its family")
    entity: str | None = Field(default=None, description="entity key, set by resolve")


def record_type(model: type[BaseModel]) -> type[tuple]:
    """A NamedTuple of `model`'s fields, in order: what a collection of millions keeps of
    each item (a tuple of 12 references takes 136 bytes, a pydantic model with its own dict
    of them about 550)."""
    return NamedTuple(f"{model.__name__}Record",
                      [(name, info.annotation) for name, info in model.model_fields.items()])


MentionRecord = record_type(Mention)
"""A Mention's values as a tuple: `record.surface`, `record.start` ... as on the model."""

_MENTION_FIELDS = tuple(Mention.model_fields)
_MENTION_FIELD_SET = set(_MENTION_FIELDS)  # one set shared by every Mention made here
_mention_values = operator.attrgetter(*_MENTION_FIELDS)
_INTERNED = [_MENTION_FIELDS.index(name) for name in ("surface", "rule", "canonical")]
_OFFSETS = [_MENTION_FIELDS.index(name) for name in ("start", "end")]
_SHARED_OFFSETS = tuple(range(1 << 14))  # most offsets: one int object each, not one per use


def mention_record(**values: object) -> MentionRecord:
    """The record of a mention (every field, by name), its repeated values shared: a name
    written in 10,000 papers is one string, offset 1234 one int object."""
    return _shared_record(list(map(values.__getitem__, _MENTION_FIELDS)))


def _shared_record(items: list) -> MentionRecord:
    """The record of a mention's values in field order, its repeated values shared."""
    for index in _INTERNED:
        if items[index] is not None:
            items[index] = sys.intern(items[index])
    for index in _OFFSETS:
        if items[index] < len(_SHARED_OFFSETS):
            items[index] = _SHARED_OFFSETS[items[index]]
    return MentionRecord._make(items)


_ENTITY = _MENTION_FIELDS.index("entity")


def with_entity(record: MentionRecord, key: str) -> MentionRecord:
    """The record with its entity key set (`record._replace(entity=key)` in a ninth of the
    time: resolution sets millions)."""
    return tuple.__new__(MentionRecord, record[:_ENTITY] + (key,) + record[_ENTITY + 1:])


def mention_model(record: MentionRecord) -> Mention:
    """The Mention of a record, made as `Mention.model_construct` makes it (no validation:
    records hold values that were validated, or made by the pipeline) in a quarter of the
    time: the publishing passes make millions."""
    mention = _new_object(Mention)
    _set_attribute(mention, "__dict__", dict(zip(_MENTION_FIELDS, record, strict=True)))
    _set_attribute(mention, "__pydantic_fields_set__", _MENTION_FIELD_SET)
    _set_attribute(mention, "__pydantic_extra__", None)
    _set_attribute(mention, "__pydantic_private__", None)
    return mention


_new_object, _set_attribute = object.__new__, object.__setattr__


class Mentions(Sequence[Mention]):
    """A list of mentions kept as `MentionRecord`s (`records`). Indexing and iterating give
    Mention models, made on access: change a mention through `records`, not through the
    model you were given. Equal to any sequence of the same mentions."""

    __slots__ = ("records",)

    def __init__(self, mentions: Iterable[Mention | MentionRecord] = ()) -> None:
        self.records: list[MentionRecord] = [
            item if isinstance(item, MentionRecord) else _shared_record([*_mention_values(item)])
            for item in mentions]

    @classmethod
    def of(cls, mentions: Iterable[Mention | MentionRecord]) -> Mentions:
        """`mentions` itself when it is a Mentions, else a Mentions of them."""
        return mentions if isinstance(mentions, Mentions) else cls(mentions)

    @classmethod
    def of_records(cls, records: list[MentionRecord]) -> Mentions:
        """A Mentions holding `records` itself (no copy)."""
        mentions = cls()
        mentions.records = records
        return mentions

    def append(self, mention: Mention | MentionRecord) -> None:
        self.records.append(mention if isinstance(mention, MentionRecord)
                            else _shared_record([*_mention_values(mention)]))

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> Mention: ...

    @overload
    def __getitem__(self, index: slice) -> Mentions: ...

    def __getitem__(self, index: int | slice) -> Mention | Mentions:
        if isinstance(index, slice):
            return Mentions(self.records[index])
        return mention_model(self.records[index])

    def __iter__(self) -> Iterator[Mention]:
        return map(mention_model, self.records)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mentions):
            return self.records == other.records
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(map(operator.eq, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Mentions({list(self)!r})"

    def json_lines(self) -> Iterator[str]:
        """Each mention's JSON as `Mention.model_dump_json` writes it (the same bytes: field
        order, no spaces, characters beyond ASCII as they are), made from the records, not
        from models, in half the time; a sentence shared by mentions is encoded once."""
        sentences: dict[str, str] = {}
        for m in self.records:
            sentence = sentences.get(m.sentence)
            if sentence is None:
                sentence = sentences[m.sentence] = _json_string(m.sentence)
            yield _MENTION_JSON % (
                _json_string(m.paper), _json_string(m.surface), _json_string(m.type),
                _json_string(m.role), m.start, m.end, sentence, _json_string(m.rule),
                _json_or_null(m.long_form), _json_or_null(m.canonical),
                _json_or_null(m.family), _json_or_null(m.entity))

    def __reduce__(self) -> tuple:
        # plain tuples travel fastest between processes; the receiver shares values again
        return _unpickle_mentions, ([tuple(record) for record in self.records],)


_MENTION_JSON = ('{"paper":%s,"surface":%s,"type":%s,"role":%s,"start":%d,"end":%d,'
                 '"sentence":%s,"rule":%s,"long_form":%s,"canonical":%s,"family":%s,'
                 '"entity":%s}')


def _json_or_null(value: str | None) -> str:
    return "null" if value is None else _json_string(value)


def records_of(mentions: Sequence[Mention]) -> Sequence[Mention | MentionRecord]:
    """For a pass that only reads mentions: their records when kept as `Mentions` (read
    like models: `record.surface` ...), no model made; else the mentions themselves."""
    return mentions.records if isinstance(mentions, Mentions) else mentions


def _unpickle_mentions(rows: list[tuple]) -> Mentions:
    return Mentions.of_records([_shared_record([*row]) for row in rows])


class Entity(BaseModel):
    """One canonical artifact: all surface forms of it across the corpus share this key."""

    key: str
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)
    family: str | None = Field(default=None, description="key of the family entity")
    papers: int = Field(default=0, description="number of papers mentioning it")
    mentions: int = Field(default=0, description="number of mentions in the corpus")


class PaperEntity(BaseModel):
    """What one paper says of one entity: its forms in this paper, type, role, mention count."""

    paper: str
    entity: str = Field(description="entity key")
    name: str = Field(description="the fullest form written in this paper")
    aliases: list[str] = Field(default_factory=list)
    type: EntityType
    role: Role
    count: int


PaperEntityRecord = record_type(PaperEntity)
"""A PaperEntity's values as a tuple (a corpus has a million; `aliases` is a tuple here)."""


class GoldEntity(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    type: EntityType
    role: Role
    optional: bool = False


class GoldPaper(BaseModel):
    """One line of the gold format, also the format of `kg extract` and extractions.jsonl."""

    id: int | str
    title: str
    entities: list[GoldEntity] = Field(default_factory=list)


class BuildSummary(BaseModel):
    """What a build produced, for the summary table, report.md and tests."""

    listings: int
    papers: int
    skipped: int = 0
    mentions: int
    entities: dict[str, int]
    paper_entity_edges: int
    paper_paper_edges: int
    triples: int
    seconds: float


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "paper": Paper,
    "mention": Mention,
    "entity": Entity,
    "paper-entity": PaperEntity,
    "gold-paper": GoldPaper,
    "build-summary": BuildSummary,
}


def write_json_schemas(directory: Path) -> list[Path]:
    """Write one JSON Schema file per model into `directory`; return the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in SCHEMA_MODELS.items():
        path = directory / f"{name}.schema.json"
        schema = model.model_json_schema()
        schema["$id"] = f"https://w3id.org/kg/schemas/{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
