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
from collections.abc import Callable
from functools import cache
from importlib.resources import files

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer

_SEGMENT = r"[A-Za-z0-9_]+(?:\.[0-9][A-Za-z0-9_]*)*"
NAME_TOKEN = re.compile(rf"^{_SEGMENT}(?:(?:-|/(?=\d)){_SEGMENT})*\+{{0,2}}$")


@cache
def hyphen_words() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(files("kg").joinpath("data/patterns/hyphen_words.json").read_text())
    return frozenset(data["modifiers"]), frozenset(data["prefixes"])


def is_name_token(text: str) -> bool:
    """True for a string that should stay one token.

    >>> [w for w in ["GSM8K", "Llama-2-7B", "LoRA-based", "non-LLM", "GPT-3.5-turbo"]
    ...  if is_name_token(w)]
    ['GSM8K', 'Llama-2-7B', 'GPT-3.5-turbo']
    """
    if not NAME_TOKEN.match(text) or text[-1] == "." or not any(c.isalpha() for c in text):
        return False
    if not any(c.isupper() or c.isdigit() for c in text):
        return False
    parts = text.split("-")
    if len(parts) == 1:
        return True
    modifiers, prefixes = hyphen_words()
    last, first = parts[-1], parts[0]
    if last.islower() and last.isalpha() and (last in modifiers or last.endswith("ed")):
        return False
    return not (first.islower() and first.isalpha() and first in prefixes)


def name_token_match(text: str) -> bool:
    return is_name_token(text)


@spacy.registry.tokenizers("kg.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's default tokenizer for the language, with names kept whole."""
    default_factory = spacy.registry.tokenizers.get("spacy.Tokenizer.v1")()

    def make(nlp: Language) -> Tokenizer:
        tokenizer = default_factory(nlp)
        tokenizer.token_match = name_token_match
        # abstracts scraped from PDFs lose the space after a period: "367.5M.The models"
        infixes = [*nlp.Defaults.infixes, r"(?<=[0-9A-Za-z])\.(?=[A-Z][a-z])"]
        tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
        # a sentence-final period after a digit or a digit-letter pair: "Llama-2-7B." "GPT-4."
        suffixes = [*nlp.Defaults.suffixes, r"(?<=[0-9])\.", r"(?<=[0-9][A-Za-z])\."]
        tokenizer.suffix_search = spacy.util.compile_suffix_regex(suffixes).search
        return tokenizer

    return make
