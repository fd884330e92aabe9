"""What the components share: the `Candidate` record, name shapes, sentence lookup,
and the pattern data of kg/data/patterns.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from spacy.attrs import SHAPE
from spacy.tokens import Doc

from kg.model import EntityType, Role

SIZE_SUFFIX = re.compile(
    r"^-?(\d+(\.\d+)?[BMKT]|\d+x\d+[BM]|[vV]\d+(\.\d+)*|XXL|XL|xl|xxl|[Bb]ase|[Ll]arge|[Ss]mall"
    r"|[Tt]iny|[Mm]ini|[Mm]edium|[Hh]uge|[Gg]iant|[Ii]nstruct|[Cc]hat|[Tt]urbo|[Pp]ro|[Ff]lash"
    r"|[Uu]ltra|[Nn]ano|hf|HF|it|IT|[Pp]review)$", re.IGNORECASE)
VARIANT_PART = re.compile(
    r"^(\d+(\.\d+)?[bmkt]|\d+x\d+[bm]|v\d+(\.\d+)*|\d+(\.\d+)*|xxl|xl|base|large|small|tiny|mini"
    r"|medium|huge|giant|instruct|chat|turbo|pro|flash|ultra|nano|hf|it|preview|[a-z])$",
    re.IGNORECASE)
OPENING_PARENTHESIS = re.compile(r"\(")
WORD = re.compile(r"[\w][\w.+-]*[\w+]|\w")
SIZED_NAME = re.compile(r"^[A-Za-z][\w.]*(?:-[\w.]+)*-\d+(\.\d+)?[BM]$")
NAME_CHARACTERS = re.compile(r"^[\w.+#'/-]+$")
EDITION = re.compile(r"^(?:19|20)\d\d$|^\d{1,3}(?:\.\d)?$")  # 2019, 50, 1.1
SIZE_ONLY = re.compile(r"^\d+(\.\d+)?[BMKTbmkt]$")
# amounts and number formats written like names: '4TB', '512GB', 'fp32', 'bf16', 'int8'
QUANTITY = re.compile(r"^\d+(\.\d+)?[KMGTP]i?B$|^(fp|bf|int|uint|FP|BF|INT)\d{1,2}$")
# a pair of languages or modalities, a direction: 'En-De', 'NL-SQL'
PAIR = re.compile(r"^[A-Z][A-Za-z]-[A-Z][A-Za-z]$")
# a numbered part of a text or a procedure: 'Stage2', 'Step-3', 'Table 1'
PART_LABEL = re.compile(r"^(?:stage|step|phase|round|part|level|table|figure|fig|section|"
                        r"eq|exp|setting)-?\d+[a-z]?$", re.IGNORECASE)
# a label of an enumerated point: '(O1) lack of evaluation, (O2) ...', '(P1)'
ENUMERATION_LABEL = re.compile(r"\(([A-Z]{1,2})(\d{1,2})\)")
INTRO_WORDS = frozenset({
    "propose", "proposed", "proposes", "introduce", "introduces", "introduced", "present",
    "presents", "novel", "new", "our", "call", "called", "named", "dubbed", "termed", "coined",
    "develop", "develops", "developed", "release", "releases", "design", "designed",
    "resulting"})
TITLE_SEPARATORS = frozenset({":", "!"})


@dataclass(frozen=True)
class Candidate:
    """A span that may name an artifact, with what the finding component knows of it."""

    start: int
    end: int
    rule: str
    source: str  # lexicon | definition | cue | title | echo | veto | context
    type: EntityType | None = None
    role: Role | None = None
    canonical: str | None = None
    family: str | None = None
    long_form: str | None = None

    def __hash__(self) -> int:
        # candidates are dict keys again and again: the span and rule tell them apart, and
        # hashing them is much cheaper than hashing every field (enums hash in Python)
        return hash((self.start, self.end, self.rule))


@lru_cache(maxsize=200_000)
def is_name_shaped(text: str) -> bool:
    """CamelCase, ALLCAPS, letters with digits: the shapes new artifact names take.

    >>> [t for t in ["GSM8K", "ZIP-FIT", "StarCoder2", "mParamanu", "Prepacking", "a1"]
    ...  if is_name_shaped(t)]
    ['GSM8K', 'ZIP-FIT', 'StarCoder2', 'mParamanu']
    """
    letters = sum(c.isalpha() for c in text)
    if letters == 0 or len(text) < 2 or not text[0].isalnum() or SIZE_ONLY.match(text) \
            or QUANTITY.match(text) or PART_LABEL.match(text) or PAIR.match(text):
        return False
    if not NAME_CHARACTERS.match(text) or "//" in text:
        return False  # "7B)x2014a", "mathcal{O}(1", URLs
    if is_compound_of_words(text):
        return False
    uppers = sum(c.isupper() for c in text)
    has_digit = any(c.isdigit() for c in text)
    return uppers >= 2 or (has_digit and (uppers >= 1 or letters >= 2)) or any(
        c.isupper() for c in text[1:])


def is_compound_of_words(text: str) -> bool:
    """'Vision-Language', 'Zero-Shot', 'Training-Free': capitalised words, not a name.

    >>> [is_compound_of_words(t) for t in ["Zero-Shot", "Self-RAG", "X-Decoder"]]
    [True, False, False]
    """
    parts = text.split("-")
    return len(parts) > 1 and all(
        p.isalpha() and len(p) > 1 and (p.istitle() or p.islower()) for p in parts)


# words with two capitals, or letters and digits: a superset of the name-shaped ones, found
# by one regex over a text (the corpus-level pass searches raw texts with it)
SHAPED_WORD = re.compile(
    r"(?<![\w.+/-])[\w.+/-]*?(?:[a-z0-9][A-Z]|[A-Z][A-Z]|[A-Za-z]\d|\d[A-Za-z])"
    r"(?:[\w.+/-]*[\w+])?")

# two capitals, or a letter and a digit, side by side: the mark of a name, read off spaCy's
# word shapes ('GSM8K' -> 'XXXdX') so that only a few tokens reach is_name_shaped
SHAPE_MARKS = ("XX", "xX", "dX", "Xd", "xd", "dx")


SHAPED = "kg.name-shaped"


def name_shaped_tokens(doc: Doc) -> list[tuple[int, str]]:
    """The positions and texts of the name-shaped tokens of a paper (GSM8K, LLaMA-Adapter,
    mParamanu); found once per paper and kept on the Doc (several components ask)."""
    shaped = doc.user_data.get(SHAPED)
    if shaped is None:
        texts = ((i, doc[i].text) for i in tokens_by_shape(doc, _shape_has_mark))
        shaped = doc.user_data[SHAPED] = [(i, text) for i, text in texts
                                          if is_name_shaped(text)]
    return shaped


def tokens_by_shape(doc: Doc, fits: Callable[[str], bool]) -> list[int]:
    """Positions of the tokens whose spaCy word shape ('GSM8K' -> 'XXXdX') `fits`; each
    distinct shape of the paper is tested once, and each test is run once per paper (several
    components ask; the answer is kept in `doc.user_data`)."""
    key = f"kg.shapes.{fits.__qualname__}"
    if key not in doc.user_data:
        shapes = doc.to_array(SHAPE).tolist()
        strings = doc.vocab.strings
        fitting = {shape for shape in set(shapes) if fits(strings[shape])}
        doc.user_data[key] = [i for i, shape in enumerate(shapes) if shape in fitting]
    return doc.user_data[key]


def _shape_has_mark(shape: str) -> bool:
    return any(mark in shape for mark in SHAPE_MARKS)


def register_extensions() -> None:
    Doc.set_extension("kg_candidates", default=None, force=True)
    Doc.set_extension("kg_mentions", default=None, force=True)


register_extensions()


@dataclass(frozen=True)
class Sentence:
    start: int  # token offsets
    end: int
    start_char: int
    end_char: int


# in user_data rather than a `doc._` extension: the components look sentences up dozens
# of times per paper, and every `doc._` access builds an accessor object
SENTENCES = "kg.sentences"


def sentence_of(doc: Doc, token_index: int) -> Sentence:
    """The sentence holding a token; the paper's sentences are found once and kept on the
    Doc with their start offsets (doc.sents scans every token each time)."""
    cached = doc.user_data.get(SENTENCES)
    if cached is None:  # a Doc that did not go through kg_sentences
        found = [Sentence(s.start, s.end, s.start_char, s.end_char) for s in doc.sents]
        cached = doc.user_data[SENTENCES] = (found, [sentence.start for sentence in found])
    found, starts = cached
    return found[bisect_right(starts, token_index) - 1]


def add_candidates(doc: Doc, candidates: list[Candidate]) -> None:
    if not candidates:
        return  # every `doc._` access builds an accessor object
    if doc._.kg_candidates is None:
        doc._.kg_candidates = []
    doc._.kg_candidates.extend(candidates)


@cache
def pattern_data(name: str) -> dict[str, Any]:
    return json.loads(files("kg").joinpath(f"data/patterns/{name}").read_text(encoding="utf-8"))


@cache
def cue_stops() -> frozenset[str]:
    """Function words that end a cue's filler ('with', 'from', 'using'...)."""
    return frozenset(pattern_data("cues.json")["filler_stops"])


@cache
def head_types() -> dict[str, str]:
    """Last word of a long form -> entity type, or 'task' for task and field names."""
    return {word: kind for kind, words in pattern_data("heads.json").items()
            if not kind.startswith("_") for word in words}


def type_of_phrase(phrase: str) -> tuple[EntityType | None, bool]:
    """(type, is_task) from the head (last word) of a phrase such as 'Low-Rank Adaptation'."""
    words = re.findall(r"[A-Za-z][A-Za-z-]*", phrase.lower())
    if not words:
        return None, False
    last = words[-1]
    kind = head_types().get(last) or head_types().get(last.split("-")[-1])
    if kind == "task":
        return None, True
    return (EntityType(kind) if kind else None), False




# the two kinds of resource: a paper trains on a dataset, evaluates on a benchmark
RESOURCES = frozenset({EntityType.DATASET, EntityType.BENCHMARK})
