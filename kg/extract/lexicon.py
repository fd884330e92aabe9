"""The lexicon: curated names of well-known artifacts, read from data files.

In: kg/data/lexicon/*.jsonl (one entry per line: name, type, aliases, optional family) and
not_entities.txt (terms that are never entities: generic classes, tasks, metrics,
organisations, languages, hardware). Out: `Lexicon`, which answers "which entry is this
surface form?" by normalized form, and "is this a known non-entity?".
"""

from __future__ import annotations

import json
import re
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


def is_phrase(form: str) -> bool:
    """Several ordinary words (by spaces or hyphens): 'Low-Rank Adaptation', 'The Pile'.

    >>> is_phrase("Chain-of-Thought"), is_phrase("BIG-bench"), is_phrase("MultiPL-E")
    (True, True, False)
    """
    words = [w for w in re.split(r"[\s-]+", form) if w]
    return len(words) >= 2 and all(w.isalpha() and len(w) > 1 for w in words)


# two words joined, the second of three letters or more: UperNet, TimeSformer; not ZeRO,
# SimplE, PaLM, ComplEx ('Complex' is a word)
CAMEL_HUMP = re.compile(r"[a-z][A-Z][a-z]{2}")


def case_fits(form: str, text: str) -> bool:
    """Whether `text` (matched case-insensitively) is an acceptable spelling of lexicon `form`.

    Phrases, lowercase forms and forms with digits match in any case ('stable diffusion',
    'word2vec', 'LLaMa-2'); a single word with capitals needs its exact spelling or all
    capitals, or inner capitals if it has them (LLAMA, LLama for LLaMA): this keeps
    'Math' from MATH, 'Simple' from the SimplE model and 'Zero-Shot' from ZeRO.

    >>> [case_fits("MATH", t) for t in ["MATH", "Math"]], case_fits("SimplE", "Simple")
    ([True, False], False)
    >>> case_fits("LLaMA", "LLama"), case_fits("Stable Diffusion", "stable diffusion")
    (True, True)
    >>> case_fits("UperNet", "Upernet"), case_fits("ZeRO", "Zero"), case_fits("PaLM", "Palm")
    (True, False, False)
    >>> case_fits("ComplEx", "Complex")
    False
    """
    if text == form or form.islower() or is_phrase(form) or any(c.isdigit() for c in form):
        return True
    if len(form) >= 6 and CAMEL_HUMP.search(form) and text.istitle():
        return True  # 'Upernet', 'Timesformer': a CamelCase name written as one word
    return sum(c.isupper() for c in form) >= 2 and sum(c.isupper() for c in text) >= 2


@dataclass
class Lexicon:
    entries: list[LexiconEntry] = field(default_factory=list)
    not_entities: frozenset[str] = frozenset()
    by_form: dict[str, list[LexiconEntry]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for form in entry.forms:
                owners = self.by_form.setdefault(normalize_form(form), [])
                if entry not in owners:
                    owners.append(entry)

    def lookup(self, surface: str) -> LexiconEntry | None:
        """The entry `surface` spells, case-aware (SuperGLUE vs SuperGlue), or None."""
        norm = normalize_form(surface)
        owners = self.by_form.get(norm, ())
        exact = [e for e in owners if surface in e.forms]
        fitting = [e for e in owners
                   if any(normalize_form(f) == norm and case_fits(f, surface) for f in e.forms)]
        return (exact or fitting or [None])[0]

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
