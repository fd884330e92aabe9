"""The data model: the records every stage passes to the next.

In: nothing (this module imports no stage). Out: pydantic models

    Paper      one distinct paper (title + abstract) with where it was listed
    Mention    one occurrence of a named artifact in a paper's text, with its evidence
    Entity     one canonical artifact (model, dataset, benchmark, method) across the corpus
    GoldPaper  one line of the gold / extraction format (GUIDELINES.md)

plus the helpers that define identity: `normalize_title` (paper dedup and eval pairing) and
`normalize_form` / `entity_key` (which surface forms are the same entity).
The JSON Schemas in schemas/ are generated from these models (`kg schemas`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

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
