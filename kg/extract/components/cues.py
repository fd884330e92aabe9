"""kg_cues: context cues from patterns/cues.json ("we propose X", "X benchmark",
"called X", "trained on X" ...).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Container, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.extract.components.candidates import (
    INTRO_WORDS,
    SIZE_ONLY,
    Candidate,
    add_candidates,
    head_types,
    is_name_shaped,
    pattern_data,
    sentence_of,
    tokens_by_shape,
    type_of_phrase,
)
from kg.model import EntityType, Role


@dataclass(frozen=True)
class Cue:
    """One cue of patterns/cues.json (see its comment for the slot language)."""

    id: str
    name: str  # "after" the right slots or "before" the left slots
    left: tuple[dict, ...] = ()
    right: tuple[dict, ...] = ()
    titles: bool | str = False  # True: capitalised words; "word": one capitalised word
    lowercase_anchor: bool = False  # 'named X', not 'Named Entity Recognition'
    evidence_only: bool = False  # types a name found otherwise, never finds one
    role_in_context: bool = False  # the role only in a sentence that presents something
    closed_by: frozenset[str] = frozenset()  # words one of which must follow the name
    lowercase_names: frozenset[str] = frozenset()  # anchors of 'a mechanism called xyz, ...'
    role: Role | None = None
    type: EntityType | None = None

    @cached_property
    def reach(self) -> int:
        """How many tokens from the anchor a name may start or end: the slots on the name's
        side at their longest, then a name of two tokens and its size."""
        slots = self.right if self.name == "after" else self.left
        return sum(slot_width(slot) for slot in slots) + 3

    @classmethod
    def from_data(cls, data: dict) -> Cue:
        return cls(id=data["id"], name=data["name"], left=tuple(data.get("left", ())),
                   right=tuple(data.get("right", ())), titles=data.get("titles", False),
                   lowercase_anchor=data.get("lowercase_anchor", False),
                   evidence_only=data.get("evidence_only", False),
                   role_in_context=data.get("role_in_context", False),
                   closed_by=frozenset(data.get("closed_by", ())),
                   lowercase_names=frozenset(data.get("lowercase_names", ())),
                   role=Role(data["role"]) if data.get("role") else None,
                   type=EntityType(data["type"]) if data.get("type") else None)


def slot_width(slot: dict) -> int:
    if "in" in slot:
        return slot.get("max", 1)
    return slot["filler"] if "filler" in slot else slot["lowercase"]


def tokens_with_capitals(doc: Doc) -> list[int]:
    """Positions of the tokens with a capital letter or a digit, in order."""
    return tokens_by_shape(doc, _shape_has_capital)


def _shape_has_capital(shape: str) -> bool:
    return "X" in shape or "d" in shape


@dataclass(frozen=True)
class Slot:
    """One slot of a cue, compiled: it takes `low` to `high` words, which must be among
    `accepts` (string ids), or any lowercase word when `accepts` is None (a 'filler' stops
    at clause words)."""

    low: int
    high: int
    accepts: frozenset[int] | None = None
    filler: bool = False


def compile_slots(slots: tuple[dict, ...], strings: Any) -> tuple[Slot, ...]:
    compiled = []
    for slot in slots:
        if "in" in slot:
            compiled.append(Slot(slot.get("min", 1), slot.get("max", 1),
                                 frozenset(strings.add(word) for word in slot["in"])))
        elif "filler" in slot:
            compiled.append(Slot(0, slot["filler"], filler=True))
        else:
            compiled.append(Slot(0, slot["lowercase"]))
    return tuple(compiled)


def slot_ends(doc: Doc, i: int, slots: tuple[Slot, ...], step: int,
              stops: Container[int]) -> Iterator[int]:
    """Every position reachable from token i by matching `slots` in direction `step`
    (longest first), with backtracking over optional and repeated slots; `stops` (string
    ids) end a filler."""
    if not slots:
        yield i
        return
    slot, rest = slots[0], slots[1:]
    taken, positions, size = 0, [i], len(doc)
    while taken < slot.high and 0 <= i < size:
        token = doc[i]
        if slot.accepts is not None:
            fits = token.lower in slot.accepts
        else:
            fits = (token.is_lower and token.is_alpha or token.text == "-") and not (
                slot.filler and token.lower in stops)
        if not fits:
            break
        i += step
        taken += 1
        positions.append(i)
    for taken_count in range(len(positions) - 1, slot.low - 1, -1):
        yield from slot_ends(doc, positions[taken_count], rest, step, stops)


@Language.factory("kg_cues", default_config={"patterns": "cues.json"})
class CueMatcher:
    """Context cues ("we propose X", "X benchmark", "trained on X"): role and type evidence.

    Anchor words are found by a PhraseMatcher (in C); only at those few places does Python
    check the cue's slots and look for the name.
    """

    def __init__(self, nlp: Language, name: str, patterns: str):
        data = pattern_data(patterns)
        self.stops = frozenset(data["filler_stops"])
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.cues: dict[int, Cue] = {}
        for record in data["cues"]:
            label = f"kg-cue:{record['id']}"
            if nlp.vocab.strings.add(label) in self.cues:
                raise ValueError(f"{patterns}: cue id {record['id']!r} is used twice")
            self.cues[nlp.vocab.strings.add(label)] = Cue.from_data(record)
            self.matcher.add(label, list(nlp.tokenizer.pipe(record["anchor"])))
        strings = nlp.vocab.strings
        self.slots = {key: (compile_slots(cue.left, strings), compile_slots(cue.right, strings))
                      for key, cue in self.cues.items()}
        self.stop_ids = frozenset(strings.add(word) for word in self.stops)
        # the words one of which must come right after (before) the anchor, if any
        self.required = {key: tuple(slots[0].accepts if slots and slots[0].low else None
                                    for slots in (right, left))
                         for key, (left, right) in self.slots.items()}

    def __call__(self, doc: Doc) -> Doc:
        found = []
        capitals = tokens_with_capitals(doc)
        for key, start, end in self.matcher(doc):
            cue = self.cues[key]
            lowercase = bool(cue.lowercase_names) and doc[start].lower_ in cue.lowercase_names
            if not (lowercase or self.may_reach_a_name(cue, start, end, capitals)):
                continue
            after, before = self.required[key]
            # most anchors ('method', 'on') fail on the word their first slot needs
            if after and (end >= len(doc) or doc[end].lower not in after) or before and (
                    start == 0 or doc[start - 1].lower not in before) \
                    or cue.lowercase_anchor and not doc[start].is_lower:
                continue
            name = self.name_for(doc, key, start, end, lowercase)
            if name is None or cue.closed_by and not (
                    name.end < len(doc) and doc[name.end].lower_ in cue.closed_by):
                continue
            kind = cue.type
            if kind is None and cue.role:
                context = doc[min(start, name.end):max(end, name.start)]
                kind = described_type(context) or described_type(appositive(doc, name.end))
                if kind is None and name.text.islower():  # 'a mechanism called xyz'
                    kind = described_type(doc[max(sentence_of(doc, start).start, start - 3):
                                              start]) or type_of_phrase(name.text)[0]
                    if kind is None:
                        continue  # 'links (called bridges)': a word, no artifact
            role = cue.role
            if cue.role_in_context and not presents_something(doc, start):
                role = None
            source = "context" if cue.evidence_only else "cue"
            found.append(Candidate(name.start, name.end, cue.id, source, type=kind, role=role))
        add_candidates(doc, found)
        return doc

    @staticmethod
    def may_reach_a_name(cue: Cue, start: int, end: int, capitals: list[int]) -> bool:
        """Whether a token with a capital or a digit (every name has one) lies within the
        cue's reach: most anchor words ('method', 'trained') are nowhere near a name, and
        this spares matching their slots."""
        if cue.name == "after":
            low, high = end, end + cue.reach
        else:
            low, high = start - cue.reach, start
        first = bisect_left(capitals, low)
        return first < len(capitals) and capitals[first] < high

    def name_for(self, doc: Doc, key: int, start: int, end: int,
                 lowercase: bool = False) -> Span | None:
        """The first name the cue's slots lead to, or None when the slots do not match;
        with `lowercase`, lowercase words right after the shortest slots if nothing else."""
        cue, (left, right) = self.cues[key], self.slots[key]
        if cue.name == "after":
            # the right slots first: most cues need a word right after the anchor (',', '(')
            positions = list(slot_ends(doc, end, right, 1, self.stop_ids))
            if not positions or next(slot_ends(doc, start - 1, left, -1, self.stop_ids),
                                     None) is None:
                return None
            for position in positions:
                name = name_next_to(doc, position, position, "after", cue.titles)
                if name is not None:
                    return name
            if lowercase:
                return next(filter(None, (lowercase_name(doc, position, self.stops)
                                          for position in positions)), None)
            return None
        if next(slot_ends(doc, end, right, 1, self.stop_ids), None) is None:
            return None
        for position in slot_ends(doc, start - 1, left, -1, self.stop_ids):
            name = name_next_to(doc, position + 1, position + 1, "before", cue.titles)
            if name is not None:
                return name
        return None


NAME_CLOSERS = frozenset({",", ".", ";", ":", ")", "(", '"', "'", "”", "’", "-", "--", "–",
                          "—", "and", "or"})
MAX_LOWERCASE_NAME_TOKENS = 5


def lowercase_name(doc: Doc, i: int, stops: frozenset[str]) -> Span | None:
    """'called self-guided training, ...': up to three lowercase words (hyphenated ones count
    once) right at `i`, closed by punctuation or 'and'/'or'; None otherwise."""
    end, words = i, 0
    while end < len(doc) and end - i < MAX_LOWERCASE_NAME_TOKENS:
        token = doc[end]
        if token.text == "-" and end > i and not token.whitespace_:
            end += 1
            continue
        if not (token.is_lower and token.is_alpha) or token.lower_ in stops \
                or token.lower_ in DETERMINERS:
            break
        words += doc[end - 1].text != "-" or end == i
        end += 1
    if end == i or words > 3 or end >= len(doc) or doc[end].lower_ not in NAME_CLOSERS:
        return None
    return doc[i:end]


def presents_something(doc: Doc, i: int) -> bool:
    """Whether the sentence up to token i presents a contribution ('we propose', 'a novel')."""
    sentence = sentence_of(doc, i)
    return any(t.lower_ in INTRO_WORDS for t in doc[sentence.start:i])


def name_next_to(doc: Doc, start: int, end: int, where: str,
                 titles: bool | str) -> Span | None:
    """The run of name-shaped tokens (at most two) right after `end` or right before `start`."""
    step, first = (1, end) if where == "after" else (-1, start - 1)
    run = []
    for i in range(first, first + 2 * step, step):
        if not 0 <= i < len(doc):
            break
        text = doc[i].text
        if not (is_name_shaped(text) or titles is True and text[0].isupper() and len(text) > 1):
            break
        run.append(i)
    if not run and titles == "word" and step == 1 and is_title_word(doc, first):
        run.append(first)
    if run and titles is True and step == 1:
        run = capitalised_phrase(doc, run[0])
    if run and step == 1 and run[-1] + 1 < len(doc) and is_size(doc[run[-1] + 1].text):
        run.append(run[-1] + 1)  # 'our CodeT5+ 16B': the checkpoint with its size
    return doc[min(run): max(run) + 1] if run else None


MAX_PHRASE_TOKENS = 8


def capitalised_phrase(doc: Doc, start: int) -> list[int]:
    """'called Neural Bag of Quill-Words (NBQ)': the capitalised words from `start` on, with
    'of' and hyphens between them ('Multi-modal', 'Pre-training'), ending on a word."""
    run, i = [start], start + 1
    while i < len(doc) and len(run) < MAX_PHRASE_TOKENS:
        token, previous = doc[i], doc[i - 1]
        glued_hyphen = token.text == "-" and not previous.whitespace_ and not token.whitespace_
        after_hyphen = previous.text == "-" and token.is_alpha
        if not (glued_hyphen or after_hyphen or token.lower_ == "of"
                or token.text[0].isupper() or is_name_shaped(token.text)):
            break
        run.append(i)
        i += 1
    while len(run) > 1 and doc[run[-1]].lower_ in ("of", "-"):
        run.pop()
    return run


def is_title_word(doc: Doc, i: int) -> bool:
    """'we propose Zecoler, ...': one capitalised word of five letters or more, not the
    first of a capitalised phrase ('we present Online Quill Mapping')."""
    if not 0 <= i < len(doc) or not (doc[i].is_title and doc[i].is_alpha and len(doc[i]) >= 5):
        return False
    return i + 1 >= len(doc) or not (doc[i + 1].is_title or doc[i + 1].text == "-")


def is_size(text: str) -> bool:
    return bool(SIZE_ONLY.match(text))


APPOSITION_OPENERS = frozenset({",", "(", ":", "-", "–", "—", "is", "was", "as"})
APPOSITION_STOPS = frozenset({"for", "of", "to", "that", "which", "with", "on", "in", "by",
                              "from", "where", "while", ".", ";", ")"})
# 'a simple and efficient ... model': a conjunction joins the describing words until a head
# noun is reached or a new phrase starts ('X, a model and a dataset')
CONJUNCTIONS = frozenset({"and", "yet", "but", "or"})
DETERMINERS = frozenset({"a", "an", "the"})
APPOSITION_STARTS = DETERMINERS | {"our", "which", "that", "one", "two", "three", "namely"}


def appositive(doc: Doc, end: int, width: int = 11) -> Span:
    """The words describing a name right after it: 'X, a new benchmark for ...' -> 'a new
    benchmark'. Empty when the name is not followed by an apposition."""
    if end >= len(doc) or doc[end].lower_ not in APPOSITION_OPENERS:
        return doc[end:end]
    if doc[end].text == "(":  # 'X (Long Form), a novel method': the words after the brackets
        close = next((t.i for t in doc[end + 1:end + width] if t.text == ")"), None)
        after = appositive(doc, close + 1, width) if close is not None else doc[end:end]
        if len(after):
            return after
    elif doc[end].text == "," and not (end + 1 < len(doc)
                                      and doc[end + 1].lower_ in APPOSITION_STARTS):
        return doc[end:end]  # 'X, addressing ...' describes nothing
    stop, seen_head, limit = end + 1, False, end + width
    while stop < min(len(doc), limit):
        word = doc[stop].lower_
        if word == "(":  # 'a new visual question answering (VQA) benchmark'
            close = next((t.i for t in doc[stop + 1:stop + 8] if t.text == ")"), None)
            if close is not None:
                limit += close + 1 - stop
                stop = close + 1
                continue
        hyphenated = doc[stop - 1].text == "-" and not doc[stop - 2].whitespace_  # 'try-on'
        if word in APPOSITION_STOPS and not hyphenated or word in CONJUNCTIONS and (
                seen_head or stop + 1 < len(doc) and doc[stop + 1].lower_ in DETERMINERS):
            break
        if word in ("'s", "’s"):
            return doc[end:end]  # 'X, the model's output must ...': a clause, not a description
        seen_head |= word in head_types() and head_types()[word] != "task"
        stop += 1
    return doc[end + 1:stop]


def described_type(words: Span) -> EntityType | None:
    """The type named by the last head noun among `words` ('a novel framework' -> Method)."""
    for token in reversed(words):
        kind = head_types().get(token.lower_)
        if kind and kind != "task":
            return EntityType(kind)
    return None
