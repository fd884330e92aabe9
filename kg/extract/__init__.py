"""Extract: Paper records -> Mentions of named artifacts, with their evidence.

In: `Paper`s from kg.ingest. Out: for each paper, its `Mention`s (surface, type, role,
sentence, character span into Paper.text, the rule that found it, the lexicon name and family
when known). The work is a spaCy pipeline on `spacy.blank("en")` (see `build_pipeline` and
kg.extract.components): no statistical model, only a tokenizer that keeps names whole, a
sentencizer, the lexicon, abbreviation definitions, context cues and the title rule.
Extraction knows nothing of graphs, RDF or HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import components, tokenizer  # noqa: F401  (registers the components)
from kg.model import Mention, Paper

PIPELINE = ["kg_sections", "sentencizer", "kg_lexicon", "kg_abbreviations", "kg_cues",
            "kg_title_name", "kg_mentions"]
WITH_LEXICON = {"kg_lexicon", "kg_abbreviations", "kg_mentions"}


def build_pipeline(lexicon_dir: str | None = None) -> Language:
    """The extraction pipeline: blank English, kg's tokenizer and components, by name."""
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    for name in PIPELINE:
        config = {"lexicon_dir": lexicon_dir} if name in WITH_LEXICON else {}
        nlp.add_pipe(name, config=config)
    return nlp


def mentions_of(doc: Doc, paper: Paper) -> list[Mention]:
    """The accepted mentions of a processed Doc, as data-model records."""
    mentions = []
    for found in doc._.kg_mentions or []:
        span = doc[found.start:found.end]
        mentions.append(Mention(
            paper=paper.key, surface=span.text, type=found.type, role=found.role,
            start=span.start_char, end=span.end_char, sentence=span.sent.text.strip(),
            rule=found.rule, long_form=found.long_form, canonical=found.canonical,
            family=found.family))
    return mentions


def extract(papers: Iterable[Paper], nlp: Language | None = None, batch_size: int = 64,
            on_paper: Callable[[], None] | None = None) -> Iterator[tuple[Paper, list[Mention]]]:
    """Run the pipeline over papers, yielding each paper with its mentions (streaming)."""
    nlp = nlp or build_pipeline()
    stream = ((paper.text, paper) for paper in papers)
    for doc, paper in nlp.pipe(stream, as_tuples=True, batch_size=batch_size):
        yield paper, mentions_of(doc, paper)
        if on_paper:
            on_paper()
