"""kg_title_name: the name before the colon of a title ("Prepacking: ..."), and title
phrases a paper says it proposes.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.abbreviations import (
    best_long_form,
)
from kg.extract.components.candidates import (
    TITLE_SEPARATORS,
    Candidate,
    add_candidates,
    cue_stops,
    pattern_data,
    type_of_phrase,
)
from kg.extract.components.cues import (
    DETERMINERS,
    capitalised_phrase,
    described_type,
)
from kg.extract.tokenizer import text_of
from kg.model import EntityType, Role, normalize_form


@Language.component("kg_title_name")
def find_title_name(doc: Doc) -> Doc:
    """'Prepacking: A Simple Method ...' -> Prepacking, introduced by this paper; and a
    capitalised phrase of the title that the abstract says it introduces ('Online Language
    Splatting' ... 'we introduce Online Language Splatting, the first ...')."""
    rules = pattern_data("title.json")
    title_end = next((t.i for t in doc if t.is_space and "\n" in t.text), len(doc))
    separator = next((t.i for t in doc[:title_end] if t.text in TITLE_SEPARATORS), -1)
    add_candidates(doc, introduced_title_phrases(doc, title_end, separator))
    if separator <= 0 or separator >= title_end - 1:
        return doc
    head = doc[0:separator]
    if not is_title_name(head, doc[title_end:], rules):
        return doc
    rest = doc[separator + 1: title_end]
    kind = None
    if len(rest) > 1 and rest[0].lower_ in DETERMINERS:
        kind = title_description_type(rest, rules["description_ends"])
    add_candidates(doc, [Candidate(head.start, head.end, "title-name", "title", kind,
                                   Role.INTRODUCED)])
    return doc


# the kind of a thing, not its name: 'A Two-Stage Framework', 'A Generic Method'
GENERIC_KINDS = frozenset({"framework", "method", "methods", "approach", "paradigm", "model",
                           "models", "algorithm", "technique", "strategy", "system", "pipeline",
                           "architecture", "network", "networks", "training", "learning"})
# 'we propose', 'this work introduces': the words that present a paper's own contribution
PRESENTING_VERBS = ("propose", "introduce", "present")
PRESENTER = re.compile(r"\b(?:[Ww]e|paper|work|study)\s+(?:(?:also|further|first|then|here)\s+)?$")
WORD_PART = re.compile(r"[a-z0-9]+")
WORD_OR_MARK = re.compile(r"[a-z0-9]+|[^\s\w-]")  # hyphens dropped: 'self-quilling'


def introduced_title_phrases(doc: Doc, title_end: int, separator: int) -> list[Candidate]:
    """The longest capitalised phrase of the title ('Self-Quilling', 'Quill-Aware
    Pretraining') that the abstract presents right after 'we propose' or 'this work
    introduces' ('this work proposes the quill-aware pretraining, ...'): introduced,
    typed by its last word. Its other places are found as the name's echoes. The words
    before the title's colon (`separator`, or -1) are judged as its name instead."""
    if title_end >= len(doc):
        return []
    text = text_of(doc)
    abstract_start = doc[title_end].idx
    title_words = set(WORD_PART.findall(text[:abstract_start].lower())) - DETERMINERS
    presented = []
    for start, end in presenting_verbs(text, abstract_start):
        first_words = WORD_PART.findall(text[end:end + 60].lower())[:3]
        if first_words[:1] in (["the"], ["our"]):
            del first_words[0]
        # most verbs present something the title does not name (a name has two words or
        # more): decided on its first two
        if len(first_words) >= 2 and title_words.issuperset(first_words[:2]) \
                and PRESENTER.search(text, max(0, start - 24), start):
            presented.append(WORD_OR_MARK.findall(text[end:end + 120].lower()))
    if not presented:
        return []
    stops = cue_stops()
    title_name = doc[0].text if separator == 1 else None
    # a presented name starts right away or after 'the'/'our' (presented_as_name): only
    # title phrases starting on one of those words can match, the others are not built
    openers = {words[1] if words[:1] in (["the"], ["our"]) else words[0]
               for words in presented if len(words) > 1}
    for phrase in title_phrases(doc, max(separator + 1, 0), title_end, openers):
        parts = WORD_PART.findall(phrase.text.lower())
        kind, _ = type_of_phrase(phrase.text)
        # a name ends on a head noun that is not a kind ('Two-Stage Framework'), and does not
        # spell out the title's name ('QuDA: Quill-Oriented Decomposition Adaptation')
        if kind is None or parts[-1] in GENERIC_KINDS or parts[0] in DETERMINERS or (
                title_name and best_long_form(title_name, phrase.text)):
            continue
        if any(presented_as_name(words, parts, stops) for words in presented):
            return [Candidate(phrase.start, phrase.end, "title-phrase", "cue", kind,
                              Role.INTRODUCED)]
    return []


def presenting_verbs(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of 'propose(s) ', 'introduce(s) ', 'present(s) ' in `text` from `start`
    on (str.find, the verb's first letter in either case: many times faster than a regex)."""
    for verb in PRESENTING_VERBS:
        tail = verb[1:]
        position = text.find(tail, start + 1)
        while position >= 0:
            first = position - 1
            end = position + len(tail)
            end += end < len(text) and text[end] == "s"
            if text[first] in (verb[0], verb[0].upper()) and not text[first - 1].isalnum() \
                    and end < len(text) and text[end].isspace():
                yield first, end + 1
            position = text.find(tail, end)


def presented_as_name(words: list[str], parts: list[str], stops: frozenset[str]) -> bool:
    """Whether `words` (after 'we propose') name `parts` as a thing of their own: right
    away or after 'the'/'our', and followed by punctuation or a word that ends a noun
    phrase ('self-quilling as a regularizer'), not by a noun ('an efficient quill
    framework' describes a framework)."""
    skip = 1 if words[:1] in (["the"], ["our"]) else 0
    end = skip + len(parts)
    if words[skip:end] != parts or end >= len(words):
        return False
    after = words[end]
    return not after.isalnum() or after in stops


def title_phrases(doc: Doc, start: int, title_end: int, openers: Container[str]) -> list[Span]:
    """Sub-phrases of the title's capitalised runs (from token `start` on), of two words or
    more, longest first, starting on a capitalised word whose first part is one of
    `openers` and ending on a capitalised word."""
    phrases: list[Span] = []
    i = start
    while i < title_end:
        if not doc[i].text[:1].isupper():
            i += 1
            continue
        run = [j for j in capitalised_phrase(doc, i) if j < title_end]
        capitals = [j for j in run if doc[j].text[:1].isupper()]
        for first in capitals:
            if not starts_with(doc[first].text, openers):
                continue
            for last in capitals:
                span = doc[first:last + 1]
                if last >= first and len(WORD_PART.findall(span.text.lower())) >= 2:
                    phrases.append(span)
        i = run[-1] + 1
    return sorted(phrases, key=len, reverse=True)


def starts_with(token_text: str, words: set[str]) -> bool:
    """Whether a phrase beginning with this token can begin with one of `words` (a token
    without a word part of its own leaves it open)."""
    first = WORD_PART.search(token_text.lower())
    return first is None or first.group() in words


def title_description_type(description: Span, ends: list[str]) -> EntityType | None:
    """'A Simple Method for ...' -> Method; 'A Clean and Large Quill Text Dataset' ->
    Dataset: the last head noun before the first word that ends the description ('for',
    'with'; 'and' only once a head noun was seen)."""
    for token in description[1:]:
        if token.lower_ in ends:
            kind = described_type(description[:token.i - description.start])
            if kind is not None or token.lower_ != "and":
                return kind
    return type_of_phrase(description.text)[0]


def is_title_name(head: Span, abstract: Span, rules: dict) -> bool:
    """A short name, not a generic opener; a name of several words ('Token Prepending') must
    be used again in the abstract, which tells it from a catchy phrase ('Never Train from
    Scratch')."""
    words = [t for t in head if not t.is_punct]
    if not (1 <= len(words) <= rules["max_words"]) or len(head.text) > rules["max_chars"]:
        return False
    if head.text.lower() in rules["not_names"] or words[0].lower_ in rules["not_first_words"]:
        return False
    if len(words) == 1:
        return True
    capitalised = all(w.text[0].isupper() or w.text[0].isdigit()
                      or w.lower_ in rules["joining_words"] for w in words)
    abstract_text = text_of(head.doc)[abstract.start_char:] if len(abstract) else ""
    return capitalised and normalize_form(head.text) in normalize_form(abstract_text)
