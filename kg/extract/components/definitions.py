"""kg_abbreviations: "Long Form (LF)" / "LF (Long Form)" definitions, typed by their
head word or the description after them.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.extract.abbreviations import (
    best_long_form,
    long_form_window,
    looks_like_short_form,
    spellings,
)
from kg.extract.components.candidates import (
    INTRO_WORDS,
    OPENING_PARENTHESIS,
    Candidate,
    add_candidates,
    head_types,
    pattern_data,
    sentence_of,
    type_of_phrase,
)
from kg.extract.components.cues import (
    appositive,
    described_type,
)
from kg.extract.lexicon import LexiconEntry, load_lexicon
from kg.extract.tokenizer import text_of
from kg.model import EntityType, Role


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
