"""Abbreviation definitions: "Long Form (LF)" and "LF (Long Form)", after Schwartz & Hearst (2003).

In: a short form and the text before (or inside) the parentheses. Out: the long form it
abbreviates, or None. Pure string functions; the spaCy component that calls them lives in
kg.extract.components.
"""

from __future__ import annotations

import re


def looks_like_short_form(text: str) -> bool:
    """An abbreviation candidate: 2-12 characters, starts alphanumeric, has a capital letter.

    >>> [looks_like_short_form(t) for t in ["LoRA", "LLMs", "e.g.", "a", "ISR-LLM"]]
    [True, True, False, False, True]
    """
    return (2 <= len(text) <= 12 and text[0].isalnum() and any(c.isupper() for c in text)
            and " " not in text and sum(c.isalpha() for c in text) >= 2)


def best_long_form(short: str, candidate: str) -> str | None:
    """The shortest tail of `candidate` whose letters spell `short` (first letter on a word start).

    >>> best_long_form("LoRA", "we fine-tune with Low-Rank Adaptation")
    'Low-Rank Adaptation'
    >>> best_long_form("ICL", "models learn in-context learning") is None
    False
    >>> best_long_form("XYZ", "nothing here matches") is None
    True
    """
    s_index, l_index = len(short) - 1, len(candidate) - 1
    while s_index >= 0:
        char = short[s_index].lower()
        if not char.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            candidate[l_index].lower() != char
            or (s_index == 0 and l_index > 0 and candidate[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = max(candidate.rfind(" ", 0, l_index + 1) + 1, 0)
    long_form = candidate[start:].strip()
    if len(long_form) <= len(short) or short.lower() in long_form.lower().split():
        return None
    return long_form


def long_form_window(short: str, words: list[str]) -> list[str]:
    """At most min(|short| + 5, 2 * |short|) words before the parenthesis (Schwartz & Hearst)."""
    letters = sum(c.isalnum() for c in short)
    return words[-min(letters + 5, letters * 2):]


def spellings(short: str) -> list[str]:
    """The letters a short form may stand for: itself; a digit repeating the letter before
    it ('S3T': Sparse Sharded Sliced Training); '2' for 'to' and '4' for 'for'
    ('L2Q': Learning-to-Quill); the part before a hyphen ('DNA-GPT': Divergent N-Gram
    Analysis).

    >>> spellings("S3T"), spellings("L2Q"), spellings("DNA-GPT")
    (['S3T', 'SSST'], ['L2Q', 'LLQ', 'LtQ'], ['DNA-GPT', 'DNA'])
    """
    found = [short]
    if short.isalpha():
        return found
    repeated = re.sub(r"([A-Za-z])([2-9])", lambda m: m.group(1) * int(m.group(2)), short)
    spoken = re.sub(r"(?<=[A-Za-z])2(?=[A-Za-z])", "t", re.sub(r"(?<=[A-Za-z])4(?=[A-Za-z])",
                                                              "f", short))
    found += [s for s in (repeated, spoken) if s not in found]
    if "-" in short:
        found.append(short.split("-")[0])
    return found
