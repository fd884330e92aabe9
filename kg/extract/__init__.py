"""Extract: Paper records -> Mentions of named artifacts, with their evidence.

In: `Paper`s from kg.ingest. Out: for each paper, its `Mention`s (surface, type, role,
sentence, character span into Paper.text, the rule that found it, the lexicon name and family
when known). The work is a spaCy pipeline on `spacy.blank("en")` (see `build_pipeline` and
kg.extract.components): no statistical model, only a tokenizer that keeps names whole, a
sentence splitter, the lexicon, abbreviation definitions, context cues and the title rule.
Extraction knows nothing of graphs, RDF or HTML.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import components, tokenizer  # noqa: F401  (registers the components)
from kg.extract.components import sentence_of
from kg.model import Mention, Paper

PIPELINE = ["kg_sentences", "kg_lexicon", "kg_abbreviations", "kg_cues",
            "kg_title_name", "kg_mentions"]
WITH_LEXICON = {"kg_lexicon", "kg_abbreviations", "kg_mentions"}


def build_pipeline(lexicon_dir: str | None = None) -> Language:
    """The extraction pipeline: blank English, kg's tokenizer and components, by name."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    for name in PIPELINE:
        config = {"lexicon_dir": lexicon_dir} if name in WITH_LEXICON else {}
        nlp.add_pipe(name, config=config)
    return nlp


# every field is set on every mention: one shared set instead of one per mention (a
# corpus holds millions of mentions; this halves their size)
MENTION_FIELDS = set(Mention.model_fields)


def mentions_of(doc: Doc, paper_key: str, text: str) -> list[Mention]:
    """The accepted mentions of a processed Doc (of `text`), as data-model records."""
    mentions = []
    sentences: dict[int, str] = {}  # mentions of one sentence share its string
    for item in doc._.kg_mentions or []:
        span = doc[item.start:item.end]
        sentence = sentence_of(doc, item.start)
        if sentence.start not in sentences:
            sentences[sentence.start] = text[sentence.start_char:sentence.end_char].strip()
        # built from values the pipeline made itself: no need to validate them again
        mentions.append(Mention.model_construct(
            _fields_set=MENTION_FIELDS,
            paper=paper_key, surface=span.text, type=item.type, role=item.role,
            start=span.start_char, end=span.end_char,
            sentence=sentences[sentence.start], rule=item.rule,
            long_form=item.long_form, canonical=item.canonical, family=item.family,
            entity=None))
    return mentions


def batched(items: Iterable[Paper], size: int) -> Iterator[tuple[Paper, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


_WORKER_NLP: Language | None = None  # set before forking: the workers inherit the pipeline


def texts_of(batch: Iterable[Paper]) -> list[tuple[str, str]]:
    """What a worker needs of a batch of papers: (key, text) pairs, not the records."""
    return [(paper.key, paper.text) for paper in batch]


def paired(batch: Iterable[Paper], results: Iterable[list[Mention]],
           on_paper: Callable[[], None] | None) -> Iterator[tuple[Paper, list[Mention]]]:
    """Each paper of a batch with the mentions a worker sent back for it, in order."""
    for paper, mentions in zip(batch, results, strict=True):
        yield paper, mentions
        if on_paper:
            on_paper()


def extract_texts(nlp: Language, items: list[tuple[str, str]]) -> list[list[Mention]]:
    """The mentions of each (paper key, text), in order: the work of one worker's batch."""
    docs = nlp.pipe(text for _, text in items)
    return [mentions_of(doc, key, text) for doc, (key, text) in zip(docs, items, strict=True)]


def _extract_batch(items: list[tuple[str, str]]) -> list[list[Mention]]:
    assert _WORKER_NLP is not None
    return extract_texts(_WORKER_NLP, items)


def extract(papers: Iterable[Paper], nlp: Language | None = None, batch_size: int = 64,
            jobs: int = 1, on_paper: Callable[[], None] | None = None,
            ) -> Iterator[tuple[Paper, list[Mention]]]:
    """Run the pipeline over papers, yielding each paper with its mentions, in input order.

    Streams: papers are read, extracted and yielded batch by batch. With jobs > 1 the
    batches go to that many forked worker processes, which inherit the built pipeline and
    send back only the mentions.
    """
    global _WORKER_NLP
    nlp = nlp or build_pipeline()
    if jobs <= 1:
        stream = ((paper.text, paper) for paper in papers)
        for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
            yield paper, mentions_of(doc, paper.key, paper.text)
            if on_paper:
                on_paper()
        return
    _WORKER_NLP = nlp
    pending: deque[tuple[Paper, ...]] = deque()

    def batches() -> Iterator[list[tuple[str, str]]]:
        for batch in batched(papers, batch_size):
            pending.append(batch)
            yield texts_of(batch)

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for results in pool.imap(_extract_batch, batches()):
            yield from paired(pending.popleft(), results, on_paper)
