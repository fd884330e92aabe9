"""The corpus-level pass looks for discovered names among a text's runs of name characters
(kg.extract.corpus.RUN, found with `runs_of`) instead of running SHAPED_WORD over every
text: the same words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.components import SHAPED_WORD
from kg.extract.corpus import RUN, runs_of

# letters of each kind, digits, the characters inside names, separators, a non-ASCII letter
TEXTS = st.text(alphabet="aZbY09_.+/- ,(\n)é", max_size=60)


@settings(max_examples=2000, deadline=None)
@given(TEXTS)
def test_shaped_words_are_the_runs_that_are_shaped_words_whole(text):
    runs = [m.span() for m in RUN.finditer(text) if SHAPED_WORD.fullmatch(m.group())]
    assert runs == [m.span() for m in SHAPED_WORD.finditer(text)]


@settings(max_examples=2000, deadline=None)
@given(TEXTS, st.lists(st.text(alphabet="aZb09.-+", min_size=1, max_size=4), max_size=3))
def test_runs_of_finds_every_run_that_is_one_of_the_words_and_nothing_else(text, others):
    words = {m.group() for m in RUN.finditer(text)}
    wanted = set(list(words)[:2]) | set(others)  # some runs of the text, some other words
    expected = [(m.start(), m.group()) for m in RUN.finditer(text) if m.group() in wanted]
    assert sorted(runs_of(text, wanted)) == expected
