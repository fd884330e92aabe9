"""The corpus-level pass: a name one paper defines or introduces is found in every paper.

In: each paper with the mentions of the first pass. Out: the same, plus mentions of
discovered names (not in the lexicon, found through a definition, a title or an
introduction cue elsewhere) in papers where the first pass had no cue for them (added to
the paper's `Mentions` in place: a corpus holds millions, none is copied).

Only single name-shaped words (SpeechT5, CodeBERTER, ZIP-FIT) travel: an acronym of two or
three letters or a lowercase phrase means different things in different papers.

`propagate_added` gives the same result when papers join a corpus whose pass is done
(`kg add`): the old papers depend on the new ones only through the discovered names, so only
the old papers in which a new name (or a name whose voted type changed) is written are
searched again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate

from kg.extract.components import SHAPED_WORD, is_name_shaped
from kg.model import EntityType, Mention, Mentions, Paper, Role, mention_record

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


class DiscoveryVotes:
    """The type votes and first long form of every discovered name, counted paper by paper
    (in corpus order: ties and the long form go to the earliest paper)."""

    def __init__(self) -> None:
        self.types: dict[str, Counter[EntityType]] = {}
        self.long_forms: dict[str, str | None] = {}

    def count(self, extractions: Iterable[tuple[Paper, Sequence[Mention]]]) -> None:
        for _, mentions in extractions:
            for mention in Mentions.of(mentions).records:
                if mention.canonical or mention.rule not in DISCOVERING_RULES:
                    continue
                votes = self.types.get(mention.surface)
                if votes is None:
                    votes = self.types[mention.surface] = Counter()
                    self.long_forms[mention.surface] = mention.long_form
                votes[mention.type] += 1

    def names(self) -> dict[str, Discovered]:
        """The names that travel, with their votes so far."""
        return {surface: Discovered(surface, votes.most_common(1)[0][0],
                                    self.long_forms[surface])
                for surface, votes in self.types.items() if travels(surface)}


def discovered_names(extractions: Iterable[tuple[Paper, Sequence[Mention]]],
                     ) -> dict[str, Discovered]:
    """Names the first pass found by a definition or an introduction, with their voted type."""
    votes = DiscoveryVotes()
    votes.count(extractions)
    return votes.names()


def sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start) + 2, text.rfind("\n", 0, start) + 1, 0)
    right = text.find(". ", end)
    return text[left: right + 1 if right >= 0 else len(text)].strip()


# A run of the characters names are made of, less its trailing '.', '/' and '-'. The
# SHAPED_WORD matches of a text are its runs that match SHAPED_WORD whole; that regex costs
# three times this one, so the pass finds runs, then the discovered names among them.
RUN = re.compile(r"[\w.+/-]*[\w+]")
RUN_CHARACTER = re.compile(r"[\w.+/-]")


def propagate(extractions: Iterable[tuple[Paper, Sequence[Mention]]],
              names: dict[str, Discovered]) -> Iterator[tuple[Paper, Mentions]]:
    """Add a 'corpus' mention wherever a discovered name is written and was not found."""
    searched = {word: name for word, name in names.items() if SHAPED_WORD.fullmatch(word)}
    for paper, found in extractions:
        mentions = Mentions.of(found)
        text = paper.text
        written = searched.keys() & RUN.findall(text)
        if written:
            add_corpus_mentions(paper, text, mentions, written, searched)
        yield paper, mentions


def add_corpus_mentions(paper: Paper, text: str, mentions: Mentions, written: set[str],
                        names: dict[str, Discovered]) -> None:
    """Add a mention of each occurrence of the `written` names no mention covers yet."""
    taken = [(m.start, m.end) for m in mentions.records]
    starts = {start for start, _ in taken}
    for start, word in sorted(runs_of(text, written)):
        end = start + len(word)
        # most names found are a mention's very span: one look-up says so
        if start in starts or any(s < end and start < e for s, e in taken):
            continue
        name = names[word]
        mentions.append(mention_record(
            paper=paper.key, surface=name.surface, type=name.type, role=Role.USED,
            start=start, end=end, sentence=sentence_around(text, start, end),
            rule=CORPUS_RULE, long_form=name.long_form, canonical=None, family=None,
            entity=None))


def runs_of(text: str, words: Iterable[str]) -> Iterator[tuple[int, str]]:
    """(start, word) of each run of `text` that is one of `words`: each word looked for
    with str.find, the run at each place it is found compared with it."""
    for word in words:
        start = text.find(word)
        while start >= 0:
            if not (start and RUN_CHARACTER.match(text, start - 1)):
                run = RUN.match(text, start)
                if run and run.end() == start + len(word):
                    yield start, word
            start = text.find(word, start + 1)


def texts_writing(texts: Sequence[str], surfaces: Iterable[str]) -> set[int]:
    """The numbers of the texts in which one of `surfaces` is written, even inside a longer
    word: every text `propagate` could find one of them in, and a few more.

    One regular expression over the texts joined: each text holding a surface yields a
    match, since no match crosses the separator (a surface holds no NUL)."""
    pattern = "|".join(map(re.escape, sorted(surfaces, key=len, reverse=True)))
    if not pattern:
        return set()
    starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
    return {bisect_right(starts, match.start()) - 1
            for match in re.finditer(pattern, "\0".join(texts))}


def propagate_added(old: Sequence[tuple[Paper, list[Mention], list[Mention]]],
                    new: Sequence[tuple[Paper, Sequence[Mention]]],
                    ) -> Iterator[tuple[Paper, Sequence[Mention]]]:
    """`propagate` over old papers then new ones, the old papers' pass already done.

    `old`: each old paper with its first-pass mentions and the mentions the corpus-level
    pass gave it; `new`: each new paper with its first-pass mentions. The result is what
    `propagate` over all of them with `discovered_names` of all of them gives: an old
    paper's pass changes only where a name that is new, or whose voted type changed, is
    written, and only those old papers are searched again.
    """
    votes = DiscoveryVotes()
    votes.count((paper, first) for paper, first, _ in old)
    before = votes.names()
    votes.count(new)
    names = votes.names()
    changed = [surface for surface, found in names.items() if before.get(surface) != found]
    again = texts_writing([paper.text for paper, _, _ in old], changed)
    for number, (paper, first, passed) in enumerate(old):
        if number in again:
            yield from propagate([(paper, first)], names)
        else:
            yield paper, first + passed
    yield from propagate(new, names)
