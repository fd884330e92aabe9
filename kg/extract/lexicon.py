"""The lexicon: curated names of well-known artifacts, read from data files.

In: kg/data/lexicon/*.jsonl (one entry per line: name, type, aliases, optional family) and
not_entities.txt (terms that are never entities: generic classes, tasks, metrics,
organisations, languages, hardware). Out: `Lexicon`, which answers "which entry is this
surface form?" by normalized form, and "is this a known non-entity?".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path

from kg.model import EntityType, normalize_form


@dataclass(frozen=True)
class LexiconEntry:
    name: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    family: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass
class Lexicon:
    entries: list[LexiconEntry] = field(default_factory=list)
    not_entities: frozenset[str] = frozenset()
    by_form: dict[str, LexiconEntry] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for form in entry.forms:
                self.by_form.setdefault(normalize_form(form), entry)

    def lookup(self, surface: str) -> LexiconEntry | None:
        return self.by_form.get(normalize_form(surface))

    def is_not_entity(self, surface: str) -> bool:
        return normalize_form(surface) in self.not_entities

    def __len__(self) -> int:
        return len(self.entries)


def default_lexicon_dir() -> Path:
    return Path(str(files("kg").joinpath("data/lexicon")))


def read_entries(path: Path) -> list[LexiconEntry]:
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            entries.append(LexiconEntry(
                name=record["name"], type=EntityType(record["type"]),
                aliases=tuple(record.get("aliases", ())), family=record.get("family")))
        except (ValueError, KeyError) as err:
            raise ValueError(f"{path}:{number}: bad lexicon entry: {err}") from err
    return entries


def read_terms(path: Path) -> frozenset[str]:
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(normalize_form(t) for t in lines if t.strip() and not t.startswith("#"))


@cache
def load_lexicon(directory: str | None = None) -> Lexicon:
    """Read every *.jsonl entry file and not_entities.txt of `directory` (default: bundled)."""
    folder = Path(directory) if directory else default_lexicon_dir()
    entries = [e for path in sorted(folder.glob("*.jsonl")) for e in read_entries(path)]
    return Lexicon(entries=entries, not_entities=read_terms(folder / "not_entities.txt"))
