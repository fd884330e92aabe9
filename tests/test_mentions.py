"""kg.model.Mentions: mentions kept as compact records, handed out as Mention models; the
corpus pass and resolution add to them and set their entities in place, never copying."""

from __future__ import annotations

import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import extract
from kg.ingest import ingest
from kg.model import EntityType, Mention, MentionRecord, Mentions, Role, with_entity
from kg.resolve import resolve

from .conftest import MINI


def a_mention(**changes) -> Mention:
    values = dict(paper="p", surface="QuillNet", type=EntityType.MODEL, role=Role.INTRODUCED,
                  start=2_000, end=2_008, sentence="We propose QuillNet.", rule="we-propose",
                  long_form=None, canonical=None, family=None, entity=None)
    return Mention(**{**values, **changes})


def test_items_come_out_as_the_mentions_that_went_in():
    mentions = [a_mention(), a_mention(surface="GSM8K", role=Role.USED, canonical="GSM8K")]
    kept = Mentions(mentions)
    assert len(kept) == 2 and isinstance(kept.records[0], MentionRecord)
    assert list(kept) == mentions and kept == mentions and kept[1] == mentions[1]
    assert [m.model_dump_json() for m in kept] == [m.model_dump_json() for m in mentions]
    assert kept[1:] == mentions[1:] and kept != mentions[1:]
    assert Mentions() == []


def test_a_record_with_its_entity_is_the_same_record_otherwise():
    record = Mentions([a_mention()]).records[0]
    assert with_entity(record, "quillnet") == record._replace(entity="quillnet")


def test_records_sent_between_processes_share_their_repeated_values():
    # each batch of a worker arrives as its own pickle: the receiver shares names again
    batches = [pickle.loads(pickle.dumps(Mentions([a_mention(sentence=f"s{n}")])))
               for n in range(2)]
    first, second = (batch.records[0] for batch in batches)
    assert first.surface is second.surface and first.rule is second.rule
    assert first.start is second.start  # 2,000: not one of the small ints Python shares anyway
    assert batches[0] == [a_mention(sentence="s0")]


def test_resolution_sets_entities_in_the_papers_mentions_without_copying_them():
    first_pass = list(extract(ingest([MINI]).papers))
    resolution = resolve(first_pass)
    in_papers = [record for _, mentions in first_pass for record in mentions.records]
    assert len(in_papers) == len(resolution.mentions) > 20
    assert all(a is b for a, b in zip(in_papers, resolution.mentions.records, strict=True))
    assert all(m.entity in resolution.entities for m in resolution.mentions)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"])), st.integers(0, 10**6))
def test_json_lines_are_the_bytes_pydantic_writes(text, offset):
    mentions = [a_mention(surface=text, sentence=text, start=offset, long_form=text or None),
                a_mention(rule=text, canonical=text, family=text, entity=text)]
    lines = list(Mentions(mentions).json_lines())
    assert lines == [m.model_dump_json() for m in mentions]
