"""kg_sentences: sentence boundaries (the title is a sentence of its own).
"""

from __future__ import annotations

from bisect import insort

import numpy
from spacy.attrs import ORTH, SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from kg.extract.components.candidates import (
    SENTENCES,
    Sentence,
)
from kg.extract.tokenizer import text_of


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
