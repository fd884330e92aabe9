"""What extraction workers send back (compact mention rows) and the records built from them."""

import pickle

from kg.extract import build_pipeline, mention_rows, mentions_from_rows
from kg.model import Mention, with_entity

TEXT = ("LLaMA-Adapter: Efficient Fine-tuning\n\n"
        "We propose LLaMA-Adapter, which tunes LLaMA with Low-Rank Adaptation (LoRA). "
        "It is evaluated on GSM8K.")


def test_mentions_built_from_rows_are_valid_records():
    nlp = build_pipeline()
    rows = mention_rows(nlp(TEXT), TEXT)
    mentions = mentions_from_rows("p1", TEXT, rows)
    assert {m.surface for m in mentions} >= {"LLaMA-Adapter", "LLaMA", "LoRA", "GSM8K"}
    for mention in mentions:
        # what validation would make of the same values, field for field
        assert Mention.model_validate(mention.model_dump()) == mention
        assert mention.surface == TEXT[mention.start:mention.end]
        assert mention.sentence in TEXT and mention.paper == "p1"
        assert mention.model_fields_set == set(Mention.model_fields)
    assert pickle.loads(pickle.dumps(mentions)) == mentions
    # resolution sets the entity on the paper's records, in place
    mentions.records[0] = with_entity(mentions.records[0], "llama-adapter")
    assert mentions[0].model_dump()["entity"] == "llama-adapter"
    assert mentions[1].entity is None
