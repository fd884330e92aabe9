"""kg_lexicon: names from the lexicon, and their size/version variants (Llama-2-7B).
"""

from __future__ import annotations

from itertools import chain

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Token

from kg.extract.components.candidates import (
    EDITION,
    RESOURCES,
    SIZE_SUFFIX,
    SIZED_NAME,
    VARIANT_PART,
    Candidate,
    add_candidates,
    name_shaped_tokens,
    pattern_data,
)
from kg.extract.lexicon import Lexicon, LexiconEntry, load_lexicon
from kg.extract.tokenizer import hyphen_words, span_text
from kg.model import EntityType, normalize_form


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
            entry = self.lexicon.lookup(span_text(doc, start, end)) \
                or self.sized_model(doc, start, end)
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
        owners = self.lexicon.by_form.get(normalize_form(span_text(doc, start, end)), ())
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
