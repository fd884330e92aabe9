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
import math
import multiprocessing
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import components, tokenizer  # noqa: F401  (registers the components)
from kg.extract.components import sentence_of
from kg.extract.tokenizer import span_chars
from kg.model import EntityType, Mentions, Paper, Role, mention_record

PIPELINE = ["kg_sentences", "kg_lexicon", "kg_abbreviations", "kg_cues",
            "kg_title_name", "kg_mentions"]
WITH_LEXICON = {"kg_lexicon", "kg_abbreviations", "kg_mentions"}


def build_pipeline(lexicon_dir: str | None = None) -> Language:
    """The extraction pipeline: blank English, kg's tokenizer and components, by name.

    Its vocabulary computes for new words only the lexical attributes the components read
    (kg.extract.tokenizer.READ_ATTRIBUTES): a component that reads another one
    (`like_num`, `is_stop` ...) must add it there.
    """
    nlp = spacy.blank("en", config={"nlp": {
        "tokenizer": {"@tokenizers": "kg.tokenizer.v1"},
        "after_creation": {"@callbacks": "kg.read_attributes_only.v1"}}})
    for name in PIPELINE:
        config = {"lexicon_dir": lexicon_dir} if name in WITH_LEXICON else {}
        nlp.add_pipe(name, config=config)
    return nlp


# What a worker sends back for one mention: (type, role, start, end, sentence, rule,
# long_form, canonical, family). Tuples pickle in a tenth of the time of pydantic records;
# the paper key and the surface are known where the text is (surface = text[start:end]).
MentionRow = tuple[EntityType, Role, int, int, str, str, str | None, str | None, str | None]


def mention_rows(doc: Doc, text: str) -> list[MentionRow]:
    """The accepted mentions of a processed Doc (of `text`), as compact rows."""
    rows = []
    sentences: dict[int, str] = {}  # mentions of one sentence share its string
    for item in doc._.kg_mentions or []:
        sentence = sentence_of(doc, item.start)
        if sentence.start not in sentences:
            sentences[sentence.start] = text[sentence.start_char:sentence.end_char].strip()
        rows.append((item.type, item.role, *span_chars(doc, item.start, item.end),
                     sentences[sentence.start], item.rule, item.long_form, item.canonical,
                     item.family))
    return rows


def mentions_from_rows(paper_key: str, text: str, rows: list[MentionRow]) -> Mentions:
    """The data-model records of a paper's mention rows (kept compact: kg.model.Mentions)."""
    return Mentions.of_records([mention_record(
        paper=paper_key, surface=text[start:end], type=kind, role=role, start=start,
        end=end, sentence=sentence, rule=rule, long_form=long_form, canonical=canonical,
        family=family, entity=None)
        for kind, role, start, end, sentence, rule, long_form, canonical, family in rows])


def mentions_of(doc: Doc, paper_key: str, text: str) -> Mentions:
    """The accepted mentions of a processed Doc (of `text`), as data-model records."""
    return mentions_from_rows(paper_key, text, mention_rows(doc, text))


# batches per worker when the number of papers is known: the last batches are then small
# enough that no worker waits long for the others at the end
BATCHES_PER_WORKER = 8


def batch_size_for(papers: Iterable[Paper], workers: int, largest: int,
                   per_worker: int) -> int:
    """Papers per batch (or per task): at most `largest`, and, when the number of papers is
    known, small enough to give each worker `per_worker` batches."""
    if not isinstance(papers, Sized):
        return largest
    return max(1, min(largest, math.ceil(len(papers) / (per_worker * workers))))


def batched(items: Iterable[Paper], size: int) -> Iterator[tuple[Paper, ...]]:
    """itertools.batched, which Python 3.11 lacks."""
    iterator = iter(items)
    while batch := tuple(itertools.islice(iterator, size)):
        yield batch


_WORKER_NLP: Language | None = None  # set before forking: the workers inherit the pipeline
_STOPPING: threading.Thread | None = None  # the thread stopping the last pool, if any


def texts_of(batch: Iterable[Paper]) -> list[tuple[str, str]]:
    """What a worker needs of a batch of papers: (key, text) pairs, not the records."""
    return [(paper.key, paper.text) for paper in batch]


def paired(batch: Iterable[Paper], results: Iterable[list[MentionRow]],
           on_paper: Callable[[], None] | None) -> Iterator[tuple[Paper, Mentions]]:
    """Each paper of a batch with the mentions a worker sent back for it, in order."""
    for paper, rows in zip(batch, results, strict=True):
        yield paper, mentions_from_rows(paper.key, paper.text, rows)
        if on_paper:
            on_paper()


def extract_texts(nlp: Language, items: list[tuple[str, str]]) -> list[list[MentionRow]]:
    """The mention rows of each (paper key, text), in order: the work of one worker's batch."""
    docs = nlp.pipe(text for _, text in items)
    return [mention_rows(doc, text) for doc, (_, text) in zip(docs, items, strict=True)]


def _extract_batch(items: list[tuple[str, str]]) -> list[list[MentionRow]]:
    assert _WORKER_NLP is not None
    return extract_texts(_WORKER_NLP, items)


def extract(papers: Iterable[Paper], nlp: Language | None = None, batch_size: int = 64,
            jobs: int = 1, on_paper: Callable[[], None] | None = None,
            ) -> Iterator[tuple[Paper, Mentions]]:
    """Run the pipeline over papers, yielding each paper with its mentions, in input order.

    Streams: papers are read, extracted and yielded batch by batch. With jobs > 1 the
    batches go to that many forked worker processes, which inherit the built pipeline and
    send back only compact mention rows.
    """
    global _WORKER_NLP, _STOPPING
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
    size = batch_size_for(papers, jobs, batch_size, BATCHES_PER_WORKER)

    def batches() -> Iterator[list[tuple[str, str]]]:
        for batch in batched(papers, size):
            pending.append(batch)
            yield texts_of(batch)

    if _STOPPING is not None:
        _STOPPING.join()  # never fork while another thread is stopping a pool (its locks)
    pool = multiprocessing.get_context("fork").Pool(jobs)
    try:
        for results in pool.imap(_extract_batch, batches()):
            yield from paired(pending.popleft(), results, on_paper)
    except BaseException:  # an error, or a caller that stops early
        pool.terminate()
        raise
    # every result is in: the workers are stopped and reaped (~15 ms) while the caller goes on
    _STOPPING = threading.Thread(target=pool.terminate, name="kg-extract-pool-stop")
    _STOPPING.start()
