"""The spaCy components of the extraction pipeline, registered by name.

Each component reads the Doc of one paper (title, blank line, abstract) and adds
`Candidate`s to `doc._.kg_candidates`; the last one, `kg_mentions`, decides which candidates
are artifacts, with which type and role, and writes them to `doc._.kg_mentions` (and to the
span group `doc.spans["kg"]`, labelled by type).

    kg_sentences      sentence boundaries (the title is a sentence of its own)
    kg_lexicon        names from the lexicon, and their size/version variants (Llama-2-7B)
    kg_abbreviations  "Long Form (LF)" / "LF (Long Form)" definitions
    kg_cues           context cues from patterns/cues.json ("we propose X", "X benchmark")
    kg_title_name     the name before the colon of a title ("Prepacking: ...")
    kg_mentions       accept, type, give a role, repeat through the paper, drop overlaps
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from importlib.resources import files
from itertools import chain
from typing import Any

import numpy
from spacy.attrs import ORTH, SENT_START, SHAPE
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from kg.extract.abbreviations import (
    best_long_form,
    long_form_window,
    looks_like_short_form,
    spellings,
)
from kg.extract.lexicon import Lexicon, LexiconEntry, case_fits, load_lexicon
from kg.extract.tokenizer import hyphen_words, text_of
from kg.model import EntityType, Role, normalize_form

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


# -- kg_sentences -------------------------------------------------------------------------

@Language.factory("kg_sentences")
class SentenceSplitter:
    """Sentence boundaries, drawn as spaCy's sentencizer draws them (a word after '.', '!',
    '?' ... starts a sentence) plus one after the blank line that ends the title.

    Read from the Doc's token array rather than from Token objects (the sentencizer's
    cost: twice as slow); kept in `doc.user_data` for `sentence_of` and set
    as the Doc's sentence starts, so `doc.sents` works as usual.
    """

    def __init__(self, nlp: Language, name: str):
        self.sentence_ends = frozenset(nlp.vocab.strings.add(c)
                                       for c in Sentencizer.default_punct_chars)

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) == 0:
            doc.user_data[SENTENCES] = ([], [])
            return doc
        starts = self.sentence_starts(doc)
        title_break = self.title_break(doc)
        if title_break is not None and title_break + 1 not in starts:
            insort(starts, title_break + 1)
        ends = [*starts[1:], len(doc)]
        found = [Sentence(start, end, doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
                 for start, end in zip(starts, ends, strict=True)]
        doc.user_data[SENTENCES] = (found, starts)
        flags = numpy.full((len(doc), 1), -1, dtype="int64")
        flags[starts] = 1
        doc.from_array([SENT_START], flags.astype("uint64"))
        return doc

    def sentence_starts(self, doc: Doc) -> list[int]:
        """After each sentence-ending character, the first word that is not punctuation
        starts a sentence (only the few end characters are visited, not every token)."""
        orths = doc.to_array(ORTH).tolist()
        ends, size = self.sentence_ends, len(orths)
        starts = [0]
        for end in [i for i, orth in enumerate(orths) if orth in ends]:
            if end < starts[-1]:
                continue  # an end character among those that closed the last sentence
            i = end + 1
            while i < size and (orths[i] in ends or doc[i].is_punct):
                i += 1
            if i < size:
                starts.append(i)
        return starts

    @staticmethod
    def title_break(doc: Doc) -> int | None:
        """The whitespace token of the first line break (the end of the title), if a
        token follows it."""
        newline = text_of(doc).find("\n")
        if newline < 0:
            return None
        i = 0
        while doc[i].idx + len(doc[i]) <= newline:
            i += 1
        return i if i + 1 < len(doc) else None


# -- kg_lexicon ---------------------------------------------------------------------------

@Language.factory("kg_lexicon", default_config={"lexicon_dir": None})
class LexiconMatcher:
    """Match every lexicon form, case-aware, plus size/version variants of known names."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None):
        self.lexicon: Lexicon = load_lexicon(lexicon_dir)
        self.benchmark_prefixes = frozenset(pattern_data("types.json")["benchmark_prefixes"])
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        forms = sorted({form for entry in self.lexicon.entries for form in entry.forms})
        self.matcher.add("kg-lexicon", list(nlp.tokenizer.pipe(forms)))
        # spellings of known models that other names are built on: BERT, RoBERTa, Llama2
        self.model_forms = frozenset(
            form for entry in self.lexicon.entries if entry.type is EntityType.MODEL
            for form in entry.forms if len(form) >= 3 and sum(c.isupper() for c in form) >= 2
            and " " not in form)

    def __call__(self, doc: Doc) -> Doc:
        found = []
        spans = {(start, end) for _, start, end in self.matcher(doc)}
        for start, end in sorted(spans):
            if doc[start].lower_ == "the" and (start + 1, end) in spans:
                continue  # "the Pile": the name is written without its article
            entry = self.lexicon.lookup(doc[start:end].text) or self.sized_model(doc, start, end)
            if entry is not None:
                found.append(self.with_size_suffix(doc, start, end, entry))
        covered = {i for c in found for i in range(c.start, c.end)}
        for i, _ in name_shaped_tokens(doc):
            if i not in covered:
                candidate = self.derived_name(doc, doc[i])
                if candidate is not None:
                    found.append(candidate)
        add_candidates(doc, found)
        return doc

    def sized_model(self, doc: Doc, start: int, end: int) -> LexiconEntry | None:
        """'Bloom 7B': a model written in another case than the lexicon's (BLOOM) is still
        that model when a size follows it."""
        owners = self.lexicon.by_form.get(normalize_form(doc[start:end].text), ())
        entry = next((e for e in owners if e.type is EntityType.MODEL), None)
        if entry is not None and end < len(doc) and doc[end].text[:1].isdigit() \
                and self.has_size_after(doc, end, entry):
            return entry
        return None

    @staticmethod
    def has_size_after(doc: Doc, end: int, entry: LexiconEntry) -> bool:
        """'Bloom 7B', 'OPT 6.7B', 'GPT-3 XL': a size token right after a model name;
        'iNat 2019', 'TREC 2020', 'MLPerf 1.1': an edition right after a dataset or
        benchmark name."""
        if end >= len(doc):
            return False
        word = doc[end].text
        if entry.type == EntityType.MODEL:
            return bool(SIZE_SUFFIX.match(word)) and (word[0].isdigit() or word[0].isupper())
        return entry.type in RESOURCES and bool(EDITION.match(word))

    def with_size_suffix(self, doc: Doc, start: int, end: int, entry: LexiconEntry) -> Candidate:
        """The name, or its variant: with a size or an edition after it ('ImageNet 32 x 32'
        with its resolution), or as a benchmark built from a dataset ('Split Tiny-ImageNet')."""
        if entry.type in RESOURCES and start > 0 and doc[start - 1].text in \
                self.benchmark_prefixes:
            return Candidate(start - 1, end, "lexicon-variant", "lexicon", EntityType.BENCHMARK,
                             family=entry.name)
        if self.has_size_after(doc, end, entry):
            end += 1
            if end + 1 < len(doc) and doc[end].text in ("x", "×") \
                    and doc[end + 1].text == doc[end - 1].text:
                end += 2  # 'ImageNet 32 x 32'
            return Candidate(start, end, "lexicon-variant", "lexicon", entry.type,
                             family=entry.name)
        return Candidate(start, end, "lexicon", "lexicon", entry.type, canonical=entry.name)

    def derived_name(self, doc: Doc, token: Token) -> Candidate | None:
        """A name built on a known one, or a new checkpoint with its size:

        'Llama-2-7B'  a variant of Llama 2 (its family)
        'LLaMA-Adapter', 'HingRoBERTa', 'CLIP4Clip'  a new name built on a known model
        'ProLong-8B'  a new model, by its size suffix
        """
        text = token.text
        if self.lexicon.is_not_entity(text):
            return None
        parts = text.split("-")
        for cut in range(len(parts) - 1, 0, -1):
            entry = self.lexicon.lookup("-".join(parts[:cut]))
            if entry is None:
                continue
            rest = parts[cut:]
            if any(p.lower() in hyphen_words()[0] or p.lower().endswith("ed") for p in rest):
                return None  # "GPT-Generated", "BERT-Style" in a title: a modifier, not a name
            is_variant = all(VARIANT_PART.match(p) for p in rest)
            end = token.i + 1 + self.has_size_after(doc, token.i + 1, entry)
            return Candidate(token.i, end, "lexicon-variant" if is_variant else "lexicon-derived",
                             "lexicon" if is_variant else "cue", entry.type,
                             family=entry.name if is_variant else None)
        if SIZED_NAME.match(text):
            return Candidate(token.i, token.i + 1, "size-suffix", "cue", EntityType.MODEL)
        if not (len(text) <= 5 and text.isupper()) and self.built_on_known_model(text):
            return Candidate(token.i, token.i + 1, "contains-model", "cue", EntityType.MODEL)
        return None

    def built_on_known_model(self, text: str) -> bool:
        """'HingRoBERTa' ends with RoBERTa, 'CLIP4Clip' starts with CLIP."""
        prefixes = (text[:n] for n in range(3, len(text)))
        suffixes = (text[n:] for n in range(1, len(text) - 2))
        return any(part in self.model_forms for part in chain(prefixes, suffixes))


# -- kg_abbreviations ---------------------------------------------------------------------

@Language.factory("kg_abbreviations", default_config={"lexicon_dir": None})
class AbbreviationFinder:
    """Schwartz-Hearst definitions; the long form and the short form become one entity."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None):
        self.lexicon = load_lexicon(lexicon_dir)

    def __call__(self, doc: Doc) -> Doc:
        found: list[Candidate] = []
        text = text_of(doc)
        for match in OPENING_PARENTHESIS.finditer(text):
            token = doc.char_span(match.start(), match.end())
            if token is None:
                continue
            token = token[0]
            # '):' is one token (spaCy keeps it whole as an emoticon)
            close = next((t.i for t in doc[token.i + 1: token.i + 12]
                          if t.text.startswith(")")), None)
            if close is None:
                continue
            inner = doc[token.i + 1: close]
            cut = next((t.i for t in inner if t.text in {",", ";"}), close)
            inner = doc[token.i + 1: cut]
            if len(inner) == 0:
                continue
            pair = self.definition(doc, text, token, inner, close)
            if pair:
                found.extend(pair)
        add_candidates(doc, found)
        return doc

    def definition(self, doc: Doc, text: str, paren: Token, inner: Span,
                   close: int) -> list[Candidate] | None:
        """The candidates of 'Long Form (LF)' or 'LF (Long Form)' at the brackets `paren`
        ... `close`, or None."""
        if len(inner) <= 3 and looks_like_short_form(inner.text):
            short = inner
            sent = sentence_of(doc, paren.i)
            prefix = text[sent.start_char: paren.idx].rstrip()
            words = list(re.finditer(r"\S+", prefix))
            window = long_form_window(short.text, [m.group() for m in words])
            if not window:
                return None
            start_char = sent.start_char + words[-len(window)].start()
            candidate_text = text[start_char: sent.start_char + len(prefix)]
            long_text = best_long_form(short.text, candidate_text) or next(filter(None, (
                best_long_form(spelling, candidate_text) for spelling in spellings(short.text)
                [1:])), None)
            if long_text is None:
                return None
            long_start = start_char + len(candidate_text) - len(long_text)
            long = doc.char_span(long_start, long_start + len(long_text), alignment_mode="expand")
        elif len(inner) >= 2 and paren.i > 0 and looks_like_short_form(doc[paren.i - 1].text):
            short, long_text = doc[paren.i - 1: paren.i], best_long_form(
                doc[paren.i - 1].text, inner.text)
            if long_text is None or len(long_text) < 0.6 * len(inner.text):
                return None
            long = inner
        else:
            return None
        if long is None or long.start >= short.start and long.end <= short.end:
            return None
        if any(t.text in "()[]{}" or t.is_space for t in long):
            return None
        return self.pair(doc, short, long, paren, close)

    def pair(self, doc: Doc, short: Span, long: Span, paren: Token,
             close: int) -> list[Candidate] | None:
        lexicon = self.lexicon
        entry = lexicon.lookup(long.text) or lexicon.lookup(short.text)
        if entry is not None and spelled_otherwise(entry, long.text):
            # 'abstract syntax tree (AST)': the paper's AST is not the lexicon's AST
            # (Audio Spectrogram Transformer); its other mentions must not take that sense
            veto = Candidate(short.start, short.end, OTHER_SENSE, "veto")
            if type_of_phrase(long.text)[0] is None and head_after(doc, close) is None:
                return [veto]  # and not an artifact of its own either: 'syntax tree'
            return [veto, *(self.definition_pair(doc, short, long, paren, close, None) or [])]
        return self.definition_pair(doc, short, long, paren, close, entry)

    def definition_pair(self, doc: Doc, short: Span, long: Span, paren: Token, close: int,
                        entry: LexiconEntry | None) -> list[Candidate] | None:
        lexicon = self.lexicon
        # a plural acronym names a class ('deep neural networks (DNNs)', 'Graph Foundation
        # Models (GFMs)'), unless its long form is capitalised as a name and is not one of
        # models ('Random Quill Forests (RQFs)')
        if entry is None and lexicon.is_not_entity(short.text):
            return None
        if entry is None and lexicon.is_not_entity(long.text):
            # 'Speech Foundation Models (SFMs)': a plural acronym of a class is that class too
            return [Candidate(short.start, short.end, CLASS_ACRONYM, "veto")] \
                if is_generic_plural(short.text) else None
        if entry is None and is_generic_plural(short.text) and not (
                is_capitalised_phrase(long.text)
                and type_of_phrase(long.text)[0] is not EntityType.MODEL):
            return [Candidate(short.start, short.end, CLASS_ACRONYM, "veto")]
        kind, is_task = type_of_phrase(long.text)
        # 'QuBERT (Quill-refined BERT), a novel method', 'Quill Synthesis (QS) module':
        # what follows says more than the long form's last word
        following = described_type(appositive(doc, close + 1)) or head_after(doc, close)
        if following is not None and (not is_task or is_capitalised_phrase(long.text)):
            kind, is_task = following, False
        before = {t.lower_ for t in doc[sentence_of(doc, paren.i).start: paren.i]}
        # a known artifact defined in a "we propose" sentence is usually what the new one
        # builds on ("we propose X, which extends Low-Rank Adaptation (LoRA)")
        role = Role.INTRODUCED if before & INTRO_WORDS and entry is None else None
        if entry is None and is_task and not role:
            # 'machine translation (MT)': the acronym names the task in the whole paper
            # ('MT models' is no model), unless the paper introduces it by that name
            return [Candidate(short.start, short.end, TASK_ACRONYM, "veto")]
        if entry is None and (is_task or kind is None and long.text.islower() and not role):
            return None  # 'key-value (KV)': plain words
        common = {"source": "definition", "type": entry.type if entry else kind, "role": role,
                  "canonical": entry.name if entry else None, "long_form": long.text}
        return [Candidate(short.start, short.end, "abbreviation-short", **common),
                Candidate(long.start, long.end, "abbreviation-long", **common)]


TASK_ACRONYM = "abbreviation-of-task"
CLASS_ACRONYM = "abbreviation-of-class"  # 'KGs': 'KG datasets' names no dataset either
OTHER_SENSE = "abbreviation-other-sense"  # vetoes the lexicon's sense, not the paper's own


def is_capitalised_phrase(text: str) -> bool:
    """'Quill Latent Synthesis', 'Neural Bag of Quills': every main word capitalised."""
    joining = pattern_data("title.json")["joining_words"]
    words = [w for w in text.split() if w not in joining]
    return len(words) >= 2 and all(w[0].isupper() or w[0].isdigit() for w in words)


def head_after(doc: Doc, close: int) -> EntityType | None:
    """The type of a head noun right after a definition's brackets (closed at token
    `close`): '... (CLS) module'."""
    if close + 1 >= len(doc) or doc[close].text != ")":
        return None
    kind = head_types().get(doc[close + 1].lower_)
    return EntityType(kind) if kind and kind != "task" else None


def spelled_otherwise(entry: LexiconEntry, long_form: str) -> bool:
    """Whether a definition's long form is another sense than the lexicon entry of its
    acronym: the entry spells out long forms and the definition shares at most a few words
    with each ('abstract syntax tree' vs 'Audio Spectrogram Transformer'). Words compare by
    their first five letters, so 'Masked Language Model' is 'Masked Language Modeling'.

    >>> entry = LexiconEntry("AST", EntityType.MODEL, ("Audio Spectrogram Transformer",))
    >>> spelled_otherwise(entry, "abstract syntax tree")
    True
    >>> spelled_otherwise(entry, "Audio Spectrogram Transformers")
    False
    """
    defined = word_stems(long_form)
    long_forms = [stems for stems in map(word_stems, entry.forms) if len(stems) >= 2]
    return bool(long_forms and defined) and all(
        len(defined & form) < 0.5 * min(len(defined), len(form)) for form in long_forms)


def word_stems(phrase: str) -> frozenset[str]:
    return frozenset(word[:5] for word in re.findall(r"[a-z]+", phrase.lower())
                     if word not in {"of", "the", "and", "for", "a", "an", "in", "on", "to"})


def is_generic_plural(short: str) -> bool:
    """'LLMs', 'PLMs', 'multiVLMs': a plural acronym names a class of things, not one
    artifact."""
    return len(short) >= 3 and short.endswith("s") and short[-2].isupper() and sum(
        c.isupper() for c in short) >= 2


# -- kg_cues ------------------------------------------------------------------------------

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


# -- kg_title_name ------------------------------------------------------------------------

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


# -- kg_mentions --------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    """An accepted mention: token span, decided type and role, and how it was found."""

    start: int
    end: int
    type: EntityType
    role: Role
    rule: str
    canonical: str | None = None
    family: str | None = None
    long_form: str | None = None


class SentenceWords:
    """The lowercase words of the sentence around a span, read from the paper's text."""

    def __init__(self, doc: Doc):
        self.doc, self.text, self.words = doc, text_of(doc), {}

    def of(self, span: Span) -> frozenset[str]:
        sentence = sentence_of(self.doc, span.start)
        if sentence.start not in self.words:
            piece = self.text[sentence.start_char:sentence.end_char].lower()
            self.words[sentence.start] = frozenset(WORD.findall(piece))
        return self.words[sentence.start]


def drop_generic_activities(doc: Doc, candidates: list[Candidate],
                            texts: dict[Candidate, str]) -> list[Candidate]:
    """'in-context learning', 'knowledge distillation' written in lowercase are activities,
    not names, unless the paper also names them (ICL, an acronym definition, capitals) or
    the name is specific enough to be one ('direct preference optimization': three words).
    Capitals that every word of a title or the first word of a sentence takes do not name
    ('Multi-Task Learning' in a title, 'Supervised fine-tuning is ...')."""
    activities = {c for c in candidates if c.type is EntityType.METHOD
                  and c.source == "lexicon" and written_plainly(doc, c, texts[c])}
    if not activities:
        return candidates
    canonicals = {c.canonical for c in activities}
    # capitals inside a longer name do not name: 'Magnitude Pruning' in 'Iterative
    # Magnitude Pruning' leaves 'magnitude pruning' an activity
    longest = {(span.start, span.end) for span in
               filter_spans([doc[c.start:c.end] for c in candidates])}
    named = {c.canonical for c in candidates if c.canonical in canonicals and (
        c.source == "definition" or len(texts[c].split()) >= 3 or c not in activities
        and (c.start, c.end) in longest and not written_plainly(doc, c, texts[c]))}
    return [c for c in candidates if c not in activities or c.canonical in named]


def written_plainly(doc: Doc, candidate: Candidate, text: str) -> bool:
    """Ordinary words ('k-means' and 'word2vec' are not), lowercase or capitalised only as
    a title's words or a sentence's first word are."""
    words = WORD_SEPARATORS.split(text)
    if not text.islower():
        sentence = sentence_of(doc, candidate.start)
        if sentence.start == 0:  # the title: each word capitalised ('Multi-Task Learning')
            if not all(word[:1].isupper() and word[1:].islower() for word in words):
                return False
        elif not (candidate.start == sentence.start and text[1:].islower()):
            return False
    return all(word.isalpha() and len(word) > 1 for word in words)


WORD_SEPARATORS = re.compile(r"[\s-]+")


def ends_another_name(doc: Doc, start: int, text: str) -> bool:
    """'Quill Transformer', 'Tabular Transformer': a known word (`text`, at `start`)
    after another capitalised word is the end of a name the lexicon does not know, not a
    mention of its own; the first word of a sentence and function words do not count."""
    if not (text.istitle() and text.isalpha()):
        return False
    before = start - 1
    if before < 0 or sentence_of(doc, start).start > before:
        return False
    word = doc[before]
    return word.is_alpha and word.text.istitle() and sentence_of(doc, before).start != before \
        and word.lower_ not in DETERMINERS and word.lower_ not in cue_stops()


COORDINATORS = frozenset({",", "and", "or", "&", "/"})


def coordinated_names(doc: Doc, candidates: list[Candidate], lexicon: Lexicon) -> list[Candidate]:
    """Name-shaped words listed with a known artifact share its type and role: 'on GSM8K,
    FinQABench and TATQA' makes FinQABench and TATQA benchmarks too; 'we present HingBERT,
    HingRoBERTa and HingGPT' introduces all three, even those found by another rule. A list
    needs a word ('and', 'or') or three items: 'On HumanEval, DraftTree doubles ...' is no
    list."""
    found_at = {c.start: c for c in candidates if c.end == c.start + 1}
    taken = {i for c in candidates for i in range(c.start, c.end)}
    found = []
    for candidate in candidates:
        for step, edge in ((1, candidate.end), (-1, candidate.start - 1)):
            siblings, joined_by_word = list_members(doc, edge, step, lexicon, found_at)
            if not (joined_by_word or len(siblings) >= 2):
                continue
            for i in siblings:
                if i not in taken:
                    found.append(Candidate(i, i + 1, "coordination", "cue", candidate.type,
                                           role=candidate.role))
                    taken.add(i)
                elif i in found_at and (candidate.role and found_at[i].source != "lexicon"
                                        or is_resource_cue(candidate)):
                    found.append(Candidate(i, i + 1, "coordination-of-cue", "cue",
                                           candidate.type if is_resource_cue(candidate)
                                           else None, role=candidate.role))
    return found


OWN_VARIANT = "own-variant"


def own_variants(doc: Doc, candidates: list[Candidate],
                 texts: dict[Candidate, str]) -> list[Candidate]:
    """'QuillNet-Mini', 'Fast-QuillNet', 'QTM-D': a name-shaped word made of a name this
    paper introduces and a hyphenated part is one of its variants, introduced too, of the
    same type, with that name as its family."""
    hyphenated = [(i, text) for i, text in name_shaped_tokens(doc) if "-" in text]
    own = {texts[c]: c for c in candidates if c.role is Role.INTRODUCED and not c.canonical
           and (c.rule in DIRECT_INTRODUCTIONS or c.source == "definition")} \
        if hyphenated else None
    if not own:
        return []
    taken = {i for c in candidates for i in range(c.start, c.end)}
    named = {texts[c] for c in candidates}
    found = []
    for i, text in hyphenated:
        if i in taken or text in named:
            continue
        parts = text.split("-")
        base = next((own[name] for cut in range(1, len(parts))
                     for name in ("-".join(parts[:cut]), "-".join(parts[cut:])) if name in own),
                    None)
        if base is not None:
            found.append(Candidate(i, i + 1, OWN_VARIANT, "cue", base.type, Role.INTRODUCED,
                                   family=texts[base]))
            taken.add(i)
    return found


def is_resource_cue(candidate: Candidate) -> bool:
    """'benchmarks including X, Y and Z': a framing cue that types a whole list."""
    return (candidate.source == "cue" and candidate.type in RESOURCES
            and candidate.rule not in WEAK_RULES)


def list_members(doc: Doc, edge: int, step: int, lexicon: Lexicon,
                 found_at: Container[int]) -> tuple[list[int], bool]:
    """Name-shaped or already found words reached from `edge` over list separators, and
    whether a word separator ('and', 'or') was among them."""
    members, joined_by_word, i = [], False, edge
    sentence = sentence_of(doc, edge) if 0 <= edge < len(doc) else None
    while 0 <= i < len(doc) and doc[i].lower_ in COORDINATORS:
        while 0 <= i < len(doc) and doc[i].lower_ in COORDINATORS:
            joined_by_word |= doc[i].is_alpha
            i += step
        if not (0 <= i < len(doc)) or not (i in found_at or is_name_shaped(doc[i].text)):
            break
        if lexicon.is_not_entity(doc[i].text) or sentence_of(doc, i) != sentence:
            break
        members.append(i)
        i += step
    return members, joined_by_word


def whole_word_matches(text: str, lowered: str, form: str) -> Iterator[tuple[int, int]]:
    """Character spans where `form` occurs in `text` as a whole word, any case.

    `lowered` is text.lower() of the same length; str.find in C instead of a regex per
    name, which would be compiled anew for every name of a large corpus.

    >>> list(whole_word_matches("GSM8K and gsm8k-hard, xGSM8K", "gsm8k and gsm8k-hard, xgsm8k",
    ...                         "GSM8K"))
    [(0, 5)]
    """
    needle, size = form.lower(), len(form)
    position = lowered.find(needle)
    while position >= 0:
        end = position + size
        before = text[position - 1] if position else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            yield position, end
        position = lowered.find(needle, position + 1)


def is_clean_span(span: Span) -> bool:
    """Starts and ends on a word (not on punctuation) and stays within one line."""
    last = span[-1].text[-1]
    return (span[0].text[0].isalnum() and (last.isalnum() or last in "+#")
            and not any(t.is_space for t in span))


def is_short_acronym(text: str) -> bool:
    """'T2I', 'SSM', 'MoE': few letters, mostly capitals."""
    return len(text) <= 4 and sum(c.isupper() or c.isdigit() for c in text) >= len(text) - 1


def class_acronyms(texts: dict[Candidate, str]) -> set[str]:
    """Short acronyms whose only cue is a plural class noun ('T2I models', 'SSM models'): a
    kind of model, unless another cue or a definition in the paper names one."""
    plural = {normalize_form(text) for c, text in texts.items() if c.rule == "name-models"
              and is_short_acronym(text)}
    named = {normalize_form(text) for c, text in texts.items() if c.rule != "name-models"}
    return plural - named


COMPARISONS = ("like", "style", "esque", "ish")  # 'alike' ends in 'like'
COMPARISON = re.compile(r"-(?:like|alike|style|esque|ish)\b")


def without_mere_comparisons(doc: Doc, spans: list[Span]) -> list[Span]:
    """Drop the names of models a paper only compares other models to ('BERT-style
    encoders', 'GPT-like models'): it neither uses nor introduces them. 'GPT-like' next to
    a plain 'GPT' counts, and so does a technique taken over ('PPO-style updates')."""
    text = text_of(doc)
    if not any(f"-{word}" in text for word in COMPARISONS) or not COMPARISON.search(text):
        return spans
    compared, plain = set(), set()
    for span in spans:
        form = normalize_form(span.text)
        end = span.end
        if COMPARISON.match(text, span.end_char) and end + 2 < len(doc) \
                and head_types().get(doc[end + 2].lower_) == EntityType.MODEL.value:
            compared.add(form)
        else:
            plain.add(form)
    if not compared - plain:
        return spans
    return [span for span in spans if normalize_form(span.text) in plain]


def longest_first(spans: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """The (start, end) spans that no longer one overlaps (spaCy's filter_spans, on plain
    tuples: no Span objects for the many that are dropped)."""
    kept: dict[tuple[int, int], str] = {}
    taken: set[int] = set()
    for start, end in sorted(spans, key=lambda span: (span[1] - span[0], -span[0]),
                             reverse=True):
        if start not in taken and end - 1 not in taken:
            kept[start, end] = spans[start, end]
            taken.update(range(start, end))
    return kept


def enumeration_labels(text: str) -> set[str]:
    """Labels of enumerated points, '(O1) ..., (O2) ...': not the o1 model, not the P3
    dataset. A letter counts as a label when it numbers two points or more."""
    numbers: dict[str, set[str]] = {}
    for match in ENUMERATION_LABEL.finditer(text):
        numbers.setdefault(match.group(1), set()).add(match.group(2))
    return {normalize_form(letter + number) for letter, found in numbers.items()
            if len(found) >= 2 for number in found}


# a name the lexicon knows is this paper's own only when the paper says so about it
# directly ('we propose X', 'called X', its title); 'our X' or a definition in a sentence
# that introduces something else ('we propose Y, trained with Curriculum Learning (CL)')
# do not make it new
DIRECT_INTRODUCTIONS = frozenset({"we-propose", "by-proposing", "this-paper-proposes", "named",
                                  "we-call", "title-name", "our-name", "name-a-new",
                                  "new-kind-name"})
WEAK_RULES = frozenset({"contains-model", "size-suffix", "coordination", "lexicon-derived",
                        "name-a-new"})
RESOURCES = frozenset({EntityType.DATASET, EntityType.BENCHMARK})


def type_by_name_ending(text: str) -> EntityType | None:
    """'TokenFormer' -> Model, 'Struc-Bench' -> Benchmark, 'PileUp-Corpus' -> Dataset."""
    lowered = text.lower()
    for kind, endings in pattern_data("types.json")["name_endings"].items():
        if any(lowered.endswith(e) and len(lowered) > len(e) + 1 for e in endings):
            return EntityType(kind)
    return None


def type_by_context(words: set[str]) -> EntityType | None:
    """Training words in its sentences make a resource a Dataset, evaluation words a Benchmark."""
    context = pattern_data("types.json")["context"]
    training = bool(words & frozenset(context["Dataset"]))
    evaluation = bool(words & frozenset(context["Benchmark"]))
    if training != evaluation:
        return EntityType.DATASET if training else EntityType.BENCHMARK
    return None


def most_common(types: list[EntityType]) -> EntityType | None:
    return Counter(types).most_common(1)[0][0] if types else None


# 'X dataset', 'benchmarks such as X': the paper says what X is, which outweighs how a
# sentence uses it ('experiments on the X dataset')
NAMING_RULES = frozenset({"name-benchmark", "benchmark-name", "benchmarks-such-as",
                          "name-dataset", "dataset-name", "datasets-such-as"})


def resource_type(candidates: list[Candidate]) -> EntityType | None:
    """Dataset or Benchmark by framing cues: what the paper calls X, else how it uses X
    ('trained on X', 'X object detection')."""
    framing = [c for c in candidates if c.type in RESOURCES and (
        c.source == "cue" and c.rule not in WEAK_RULES or c.source == "context")]
    return most_common([c.type for c in framing if c.rule in NAMING_RULES]) \
        or most_common([c.type for c in framing])


def vote_type(candidates: list[Candidate], text: str, words: set[str]) -> EntityType:
    """The type of one name in one paper, from the strongest evidence there is:

    framing cues ('X benchmark', 'X, a new model') > the lexicon (a dataset or benchmark
    by the words around it) > a definition's or title's description > weak cues (name
    shape, lists) and the name's ending > Method.
    """
    strong = [c.type for c in candidates
              if c.type and c.source == "cue" and c.rule not in WEAK_RULES]
    lexicon = next((c.type for c in candidates if c.source == "lexicon" and c.type), None)
    if lexicon is not None and lexicon not in RESOURCES:
        return lexicon
    strong_resource = resource_type(candidates)
    if lexicon is not None:
        return strong_resource or lexicon
    described = [c.type for c in candidates if c.type and c.source in ("definition", "title")]
    weak = [c.type for c in candidates if c.type and c.rule in WEAK_RULES]
    kind = most_common(strong) or most_common(described) or type_by_name_ending(text) \
        or most_common(weak) or EntityType.METHOD
    if kind in RESOURCES and strong_resource:
        return strong_resource
    if kind in RESOURCES:
        return type_by_context(words) or kind
    return kind


@Language.factory("kg_mentions", default_config={"lexicon_dir": None})
class MentionSelector:
    """Decide which candidates are artifacts; one type and role per name in the paper."""

    def __init__(self, nlp: Language, name: str, lexicon_dir: str | None):
        self.lexicon = load_lexicon(lexicon_dir)

    def __call__(self, doc: Doc) -> Doc:
        texts = {c: doc[c.start:c.end].text for c in doc._.kg_candidates or []}
        rejected, other_senses = self.rejected_forms(doc, texts)
        candidates = [c for c in texts if self.acceptable(c, texts[c], rejected) and not (
            c.source == "lexicon" and normalize_form(texts[c]) in other_senses)]
        candidates = drop_generic_activities(doc, candidates, texts)
        candidates = [c for c in candidates if not (c.source == "lexicon" and texts[c].istitle()
                                                    and ends_another_name(doc, c.start, texts[c]))]
        variants: dict[str, str] = {}
        for candidate in chain(coordinated_names(doc, candidates, self.lexicon),
                               own_variants(doc, candidates, texts)):
            texts[candidate] = doc[candidate.start:candidate.end].text
            if normalize_form(texts[candidate]) not in rejected:
                candidates.append(candidate)
                if candidate.rule == OWN_VARIANT and candidate.family:
                    variants[normalize_form(texts[candidate])] = candidate.family
        by_form: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            by_form.setdefault(normalize_form(texts[candidate]), []).append(candidate)
        for candidate in texts:
            if candidate.source == "context" and normalize_form(texts[candidate]) in by_form:
                by_form[normalize_form(texts[candidate])].append(candidate)
        # a name found only inside a longer one ('Quill Mixing' in a defined 'Quill Mixing
        # with text for images') is not searched for elsewhere
        kept = longest_first({(c.start, c.end): texts[c] for c in candidates})
        echoed = self.echoes(doc, set(kept.values()))
        kept = longest_first({**kept, **{(s.start, s.end): "" for s in echoed}})
        spans = without_mere_comparisons(doc, [doc[start:end] for start, end in sorted(kept)])
        sentence_words = SentenceWords(doc)
        forms = [normalize_form(span.text) for span in spans]
        words: dict[str, set[str]] = {}
        for span, form in zip(spans, forms, strict=True):
            words.setdefault(form, set()).update(sentence_words.of(span))
        types = self.types(by_form, texts, words, variants)
        found = [self.decide(span, by_form[form], types[form])
                 for span, form in zip(spans, forms, strict=True)]
        doc._.kg_mentions = found
        doc.spans["kg"] = [Span(doc, f.start, f.end, label=f.type.value) for f in found]
        return doc

    @staticmethod
    def rejected_forms(doc: Doc, texts: dict[Candidate, str]) -> tuple[set[str], set[str]]:
        """The forms this paper uses otherwise (a class, a task, an enumeration label), and
        those whose lexicon sense it replaces by another one."""
        rejected = class_acronyms(texts) | enumeration_labels(text_of(doc))
        other_senses: set[str] = set()
        vetoes = [(c, text) for c, text in texts.items() if c.source == "veto"]
        if not vetoes:
            return rejected, other_senses
        introduced = {normalize_form(text) for c, text in texts.items()
                      if c.role is Role.INTRODUCED}
        for veto, text in vetoes:
            form = normalize_form(text)
            if veto.rule == OTHER_SENSE:
                other_senses.add(form)
            elif not (veto.rule == TASK_ACRONYM and form in introduced):
                rejected.add(form)
                if veto.rule == CLASS_ACRONYM and text.endswith("s"):
                    rejected.add(normalize_form(text[:-1]))
        return rejected, other_senses

    @staticmethod
    def types(by_form: dict[str, list[Candidate]], texts: dict[Candidate, str],
              words: dict[str, set[str]], variants: dict[str, str]) -> dict[str, EntityType]:
        """One type per name in the paper; a definition's short and long forms vote together;
        `variants`: the forms of variants of the paper's own names, with those names."""
        entity_of = {form: normalize_form(next((c.long_form for c in group if c.long_form), form))
                     for form, group in by_form.items()}
        pooled: dict[str, list[Candidate]] = {}
        context: dict[str, set[str]] = {}
        for form, group in by_form.items():
            pooled.setdefault(entity_of[form], []).extend(group)
            context.setdefault(entity_of[form], set()).update(words.get(form, set()))
        kinds = {entity: vote_type(group, texts[group[0]], context[entity])
                 for entity, group in pooled.items()}
        types = {form: kinds[entity_of[form]] for form in by_form}
        for form, family in variants.items():  # a variant of the paper's own name: its type
            if all(c.rule == OWN_VARIANT or c.source == "context" for c in by_form[form]):
                types[form] = types.get(normalize_form(family), types[form])
        return types

    def acceptable(self, candidate: Candidate, text: str, rejected: set[str]) -> bool:
        """`rejected`: forms this paper uses otherwise (a class, another sense)."""
        if candidate.source in ("veto", "context") or normalize_form(text) in rejected:
            return False
        if candidate.source == "lexicon":
            return True
        if self.lexicon.is_not_entity(text) or candidate.rule == "title-phrase" and (
                self.lexicon.lookup(text) is not None):
            return False  # a known name is not introduced by a title's phrase
        if candidate.source == "cue":
            return is_name_shaped(text) or candidate.role is Role.INTRODUCED
        return True

    @staticmethod
    def echoes(doc: Doc, written: set[str]) -> list[Span]:
        """Other places in the paper where an accepted name occurs without a cue of its own
        (a case-insensitive text search per name, kept where it fits the name's case and
        falls on token boundaries)."""
        paper = text_of(doc)
        lowered = paper.lower()
        if len(lowered) != len(paper):  # a few characters lengthen when lowered: 'İ'
            lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in paper)
        spans = []
        for form in written:
            for start, end in whole_word_matches(paper, lowered, form):
                surface = paper[start:end]
                if not any(case_fits(seen, surface) for seen in written
                           if seen.lower() == surface.lower()):
                    continue
                span = doc.char_span(start, end)
                if span is not None and is_clean_span(span) and not (
                        surface.istitle() and ends_another_name(doc, span.start, surface)):
                    spans.append(span)
        return spans

    @staticmethod
    def decide(span: Span, group: list[Candidate], kind: EntityType) -> Found:
        known = any(c.canonical for c in group)  # a variant (Llama-2-7B) is not known
        role = Role.INTRODUCED if any(
            c.role is Role.INTRODUCED and (c.rule in DIRECT_INTRODUCTIONS or not known)
            for c in group) else Role.USED
        best = max(group, key=lambda c: (c.source == "lexicon", c.canonical is not None,
                                         c.family is not None, c.long_form is not None))
        matching = [c for c in group if c.start == span.start and c.end == span.end]
        rule = matching[0].rule if matching else "echo"
        return Found(span.start, span.end, kind, role, rule, best.canonical, best.family,
                     best.long_form)
