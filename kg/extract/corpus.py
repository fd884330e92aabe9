"""The corpus-level pass: a name one paper defines or introduces is found in every paper.

In: each paper with the mentions of the first pass. Out: the same, plus mentions of
discovered names (not in the lexicon, found through a definition, a title or an
introduction cue elsewhere) in papers where the first pass had no cue for them.

Only single name-shaped words (SpeechT5, CodeBERTER, ZIP-FIT) travel: an acronym of two or
three letters or a lowercase phrase means different things in different papers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.extract.components import SHAPED_WORD, is_name_shaped
from kg.model import EntityType, Mention, Paper, Role

DISCOVERING_RULES = frozenset({"abbreviation-short", "abbreviation-long", "title-name",
                               "we-propose", "this-paper-proposes", "named", "we-call",
                               "name-a-new", "our-name"})
CORPUS_RULE = "corpus"
"""The rule of the mentions this pass adds (`kg add` drops them and runs the pass again)."""


@dataclass(frozen=True)
class Discovered:
    surface: str
    type: EntityType
    long_form: str | None


def travels(surface: str) -> bool:
    letters = sum(c.isalpha() for c in surface)
    return " " not in surface and is_name_shaped(surface) and (letters >= 4 or len(surface) >= 5)


def discovered_names(extractions: Iterable[tuple[Paper, list[Mention]]]) -> dict[str, Discovered]:
    """Names the first pass found by a definition or an introduction, with their voted type."""
    types: dict[str, Counter[EntityType]] = {}
    long_forms: dict[str, str | None] = {}
    for _, mentions in extractions:
        for mention in mentions:
            if mention.canonical or mention.rule not in DISCOVERING_RULES:
                continue
            if not travels(mention.surface):
                continue
            types.setdefault(mention.surface, Counter())[mention.type] += 1
            long_forms.setdefault(mention.surface, mention.long_form)
    return {surface: Discovered(surface, votes.most_common(1)[0][0], long_forms[surface])
            for surface, votes in types.items()}


def sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    right = text.find(". ", end)
    return text[left: right + 1 if right >= 0 else len(text)].strip()


def propagate(extractions: Iterable[tuple[Paper, list[Mention]]],
              names: dict[str, Discovered]) -> Iterator[tuple[Paper, list[Mention]]]:
    """Add a 'corpus' mention wherever a discovered name is written and was not found."""
    for paper, mentions in extractions:
        text = paper.text
        taken = [(m.start, m.end) for m in mentions]
        added = []
        for match in SHAPED_WORD.finditer(text):
            found = names.get(match.group())
            if found is None or any(s < match.end() and match.start() < e for s, e in taken):
                continue
            added.append(Mention(
                paper=paper.key, surface=found.surface, type=found.type, role=Role.USED,
                start=match.start(), end=match.end(),
                sentence=sentence_around(text, match.start(), match.end()), rule=CORPUS_RULE,
                long_form=found.long_form))
        yield paper, mentions + added
