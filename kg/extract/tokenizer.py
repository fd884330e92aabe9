"""A tokenizer that keeps artifact names whole: GSM8K, CC3M, Llama-2-7B, GPT-3.5-turbo, NLVR2.

spaCy's English rules split GSM8K into GSM8 + K (unit suffixes) and Llama-2-7B at hyphens.
We keep its rules and add a `token_match`: a whitespace-delimited string (after stripping
punctuation around it) that is shaped like a name stays one token, unless it ends in a
hyphenated modifier ("LoRA-based" -> LoRA - based) or starts with a lowercase prefix
("non-LLM"). The modifier and prefix words are data (kg/data/patterns/hyphen_words.json).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib.resources import files

import spacy
from spacy.attrs import IS_ALPHA, IS_LOWER, IS_PUNCT, IS_SPACE, IS_TITLE, LOWER, SHAPE
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

_SEGMENT = r"[A-Za-z0-9_]+(?:\.[0-9][A-Za-z0-9_]*)*"


@cache
def hyphen_words() -> tuple[frozenset[str], frozenset[str]]:
    """(modifiers, prefixes): hyphen parts that are not part of a name."""
    data = json.loads(files("kg").joinpath("data/patterns/hyphen_words.json").read_text())
    return frozenset(data["modifiers"]), frozenset(data["prefixes"])


@cache
def name_token_regex() -> re.Pattern[str]:
    """One compiled pattern (so spaCy calls C code, not Python, for every word).

    A name: segments joined by '-' (or '/' before a digit: ViT-B/16), optional trailing
    '+', with a letter and a capital or digit somewhere; not ending in a modifier
    ('-based', any '-...ed') and not starting with a prefix word ('non-') or a lowercase
    word glued to a name where a PDF lost a space ('datasets-FinDER').
    """
    modifier_words, prefix_words = hyphen_words()
    modifiers = "|".join(sorted(map(re.escape, modifier_words), key=len, reverse=True))
    prefixes = "|".join(sorted(map(re.escape, prefix_words), key=len, reverse=True))
    return re.compile(
        rf"^(?=.*[A-Z0-9])(?=.*[A-Za-z])"  # first: most words fail here, and fast
        rf"(?!(?:{prefixes})-[A-Za-z])(?![a-z]{{4,}}-[A-Z])(?!.*-(?:{modifiers}|[a-z]+ed)\+*$)"
        rf"{_SEGMENT}(?:(?:-|/(?=\d)){_SEGMENT})*\+{{0,2}}$")


def is_name_token(text: str) -> bool:
    """True for a string that should stay one token.

    >>> [w for w in ["GSM8K", "Llama-2-7B", "LoRA-based", "non-LLM", "GPT-3.5-turbo", "7B.",
    ...              "datasets-FinDER"] if is_name_token(w)]
    ['GSM8K', 'Llama-2-7B', 'GPT-3.5-turbo']
    """
    return name_token_regex().match(text) is not None


TEXT = "kg.text"

# spaCy caches the tokens of each whitespace-delimited chunk it has split, up to 10,000
# chunks; building the pipeline tokenizes every lexicon form and cue anchor, which fills
# that cache before the first paper (a warm tokenizer then runs 4x slower). 100,000 chunks
# take ~20 MB per process.
CACHED_CHUNKS = 100_000


class TextKeepingTokenizer(Tokenizer):
    """spaCy's Tokenizer that also keeps the text on the Doc (in `doc.user_data`, cheaper
    to reach than a `doc._` extension): the components slice it instead of rebuilding it
    token by token (`doc.text`)."""

    def __call__(self, text: str) -> Doc:
        doc = super().__call__(text)
        doc.user_data[TEXT] = text
        return doc


def text_of(doc: Doc) -> str:
    """The text a Doc was made from (cheap when kg's tokenizer made it)."""
    return doc.user_data.get(TEXT) or doc.text


def span_chars(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The character offsets of tokens start..end-1 (end > start) in the paper's text."""
    last = doc[end - 1]
    return doc[start].idx, last.idx + len(last)


def span_text(doc: Doc, start: int, end: int) -> str:
    """The text of tokens start..end-1, as `doc[start:end].text` gives it, sliced from the
    paper's text (a Span builds its text token by token: ~2 us against ~0.4 us).

    >>> from spacy.lang.en import English
    >>> span_text(English()("Results on the Pile and on C4."), 2, 4)
    'the Pile'
    """
    if end <= start:
        return ""
    first, last = span_chars(doc, start, end)
    return text_of(doc)[first:last]


# abstracts scraped from PDFs lose the space after a period: "367.5M.The models"
EXTRA_INFIXES = [r"(?<=[0-9A-Za-z])\.(?=[A-Z][a-z])"]
# a sentence-final period after a digit or a digit-letter pair: "Llama-2-7B." "GPT-4.",
# and after CamelCase: "... with EvoMoE."
EXTRA_SUFFIXES = [r"(?<=[0-9])\.", r"(?<=[0-9][A-Za-z])\.", r"(?<=[a-z][A-Z])\."]


class SkipsLetters:
    """A compiled affix or URL pattern of spaCy's English rules that answers "no match" to
    a string of letters only without running.

    Every prefix, suffix, infix and URL pattern of those rules needs a character that is
    not a letter (punctuation, a digit, a symbol, a dot): a units suffix follows a digit, a
    hyphen infix is a hyphen. Most strings the tokenizer tests are plain words, and these
    regular expressions took 58 % of the instructions of tokenizing words it has not seen
    before. tests/test_extract.py checks the rule on every letter of Unicode. spaCy
    serializes the pattern (`pattern`), so a tokenizer read back gets the plain regex.
    """

    def __init__(self, compiled: re.Pattern[str]):
        self.compiled, self.pattern = compiled, compiled.pattern

    def search(self, text: str) -> re.Match[str] | None:
        return None if text.isalpha() else self.compiled.search(text)

    def match(self, text: str) -> re.Match[str] | None:
        return None if text.isalpha() else self.compiled.match(text)

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return iter(()) if text.isalpha() else self.compiled.finditer(text)


@spacy.registry.tokenizers("kg.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's default English rules, with names kept whole and the text kept on the Doc."""

    def make(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        infixes = [*defaults.infixes, *EXTRA_INFIXES]
        suffixes = [*defaults.suffixes, *EXTRA_SUFFIXES]
        return TextKeepingTokenizer(
            nlp.vocab, rules=defaults.tokenizer_exceptions,
            prefix_search=SkipsLetters(spacy.util.compile_prefix_regex(defaults.prefixes)).search,
            suffix_search=SkipsLetters(spacy.util.compile_suffix_regex(suffixes)).search,
            infix_finditer=SkipsLetters(spacy.util.compile_infix_regex(infixes)).finditer,
            token_match=name_token_regex().match,
            url_match=SkipsLetters(defaults.url_match.__self__).match,
            max_cache_size=CACHED_CHUNKS)

    return make


# The lexical attributes kg's components read (through Token, Doc.to_array or the
# PhraseMatcher). spaCy computes ~23 for each word it has not seen (stop words, URL and
# e-mail shapes, prefixes, suffixes, norms ...): dropping the others took the cold
# tokenization of the 377 sample and held-out papers from 0.25 s to 0.19 s.
READ_ATTRIBUTES = frozenset({LOWER, SHAPE, IS_ALPHA, IS_LOWER, IS_PUNCT, IS_SPACE, IS_TITLE})


@spacy.registry.callbacks("kg.read_attributes_only.v1")
def create_lean_vocabulary() -> Callable[[Language], Language]:
    """Make the vocabulary compute, for new words, only the attributes kg reads."""

    def lean(nlp: Language) -> Language:
        getters = nlp.vocab.lex_attr_getters
        for attribute in [a for a in getters if a not in READ_ATTRIBUTES]:
            del getters[attribute]
        return nlp

    return lean
