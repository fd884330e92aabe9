"""The spaCy components of the extraction pipeline, registered by name.

Each component reads the Doc of one paper (title, blank line, abstract) and adds
`Candidate`s to `doc._.kg_candidates`; the last one, `kg_mentions`, decides which candidates
are artifacts, with which type and role, and writes them to `doc._.kg_mentions` (and to the
span group `doc.spans["kg"]`, labelled by type).

    kg_sentences      sentences.py      sentence boundaries (the title is a sentence of its own)
    kg_lexicon        lexicon_names.py  names from the lexicon, and their size/version
                                        variants (Llama-2-7B)
    kg_abbreviations  definitions.py    "Long Form (LF)" / "LF (Long Form)" definitions
    kg_cues           cues.py           context cues from patterns/cues.json ("we propose
                                        X", "X benchmark")
    kg_title_name     title.py          the name before the colon of a title ("Prepacking:
                                        ...")
    kg_mentions       mentions.py       accept, type, give a role, repeat through the
                                        paper, drop overlaps

One module per component, its factory registered by name when this package is imported;
`candidates.py` holds what they share (the Candidate record, name shapes, sentences).
"""

from kg.extract.components import (  # noqa: F401  (registers the components)
    cues,
    definitions,
    lexicon_names,
    mentions,
    sentences,
    title,
)
from kg.extract.components.candidates import (
    SHAPED_WORD,
    Candidate,
    is_name_shaped,
    sentence_of,
)

__all__ = ["SHAPED_WORD", "Candidate", "is_name_shaped", "sentence_of"]
