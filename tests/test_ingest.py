import re
from pathlib import Path

import pytest

import kg
from kg.ingest import InputError, clean, ingest, paper_key
from kg.model import normalize_title

from .conftest import MINI


def test_sample_has_399_listings_of_324_distinct_papers():
    corpus = ingest([kg.sample_dir()])
    assert corpus.listings == 399
    assert len(corpus.papers) == 324
    assert sum(len(p.listings) for p in corpus.papers) == 399


def test_every_sample_paper_keeps_title_abstract_and_dated_provenance():
    corpus = ingest([kg.sample_dir()])
    for paper in corpus.papers:
        assert paper.title and paper.abstract
        for listing in paper.listings:
            assert listing.source.endswith(".txt") and listing.line > 0
            assert listing.date and listing.date.split()[0] in {"Mar", "Aug"}


def test_duplicates_across_formats_merge_and_keep_both_listings():
    corpus = ingest([MINI])
    assert corpus.listings == 6
    assert len(corpus.papers) == 5
    stars = next(p for p in corpus.papers if p.title.startswith("Counting Stars"))
    assert [(x.source, x.line) for x in stars.listings] == [("listing-a.txt", 17),
                                                           ("listing-b.jsonl", 1)]
    # fields only the JSONL copy carries are kept
    assert stars.arxiv_id == "2610.00001" and stars.authors == ["A. Author", "B. Author"]


def test_jsonl_csv_and_atom_fields():
    papers = {p.title: p for p in ingest([MINI]).papers}
    grade = papers["Grade-School Math Without Tears"]
    assert grade.id == "b2" and grade.authors == ["C. Author", "D. Author"]
    pile = papers["Pile Up: Filtering Web Text for Code"]
    assert pile.url == "https://example.org/c1" and pile.date == "2026-10-04"
    atom = papers["Faster Decoding with Draft Trees"]  # whitespace inside the title collapsed
    assert atom.arxiv_id == "2610.00004" and atom.authors == ["F. Author", "G. Author"]
    assert atom.abstract.startswith("We propose DraftTree") and "\n" not in atom.abstract


def test_paper_key_is_stable_and_readable():
    key = paper_key("QuillNet: Sparse Adapters for Fast Math Reasoning")
    assert key == paper_key("QuillNet: Sparse Adapters for Fast Math Reasoning!")
    assert key.startswith("quillnet-sparse-adapters-for-fast-math-")
    assert normalize_title("Ab-C: d+#") == "abcd+#"


@pytest.mark.parametrize(("name", "content", "line", "cause"), [
    ("a.jsonl", '{"title": "T", "abstract": "A"}\n{"title": "T2"\n', 2, "invalid JSON"),
    ("b.jsonl", '{"title": "T", "abstract": ""}\n', 1, "record has no abstract"),
    ("c.csv", "id,title\n1,T\n", 1, "CSV header lacks column(s): abstract"),
    ("d.txt", "Aug 1\n\nA title\n\nIts abstract\n\nA lonely title\n", 7, "title has no abstract"),
])
def test_bad_records_name_file_line_and_cause(tmp_path: Path, name, content, line, cause):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ingest([path])
    assert str(caught.value).startswith(f"{path}:{line}: {cause}")


def test_unreadable_inputs(tmp_path: Path):
    with pytest.raises(InputError, match="no such file"):
        ingest([tmp_path / "missing.txt"])
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(InputError, match="file is empty"):
        ingest([empty])
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Aug 1\n\nCaf\xe9 title\n\nabstract\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin.txt:3: not UTF-8"):
        ingest([latin])


def test_skip_mode_reports_the_bad_file_and_keeps_the_rest(tmp_path: Path, mini_copy: Path):
    (mini_copy / "broken.jsonl").write_text("{not json\n")
    corpus = ingest([mini_copy], on_error="skip")
    assert len(corpus.papers) == 5
    assert len(corpus.skipped) == 1 and "broken.jsonl:1: invalid JSON" in str(corpus.skipped[0])


def test_an_atom_feed_in_its_declared_encoding(tmp_path: Path):
    feed = tmp_path / "latin.atom"
    feed.write_bytes('<?xml version="1.0" encoding="ISO-8859-1"?>\n'
                     '<feed xmlns="http://www.w3.org/2005/Atom">\n<entry>\n'
                     "<id>http://arxiv.org/abs/2601.00007v2</id><title>Caf\xe9Net</title>\n"
                     "<summary>We propose Caf\xe9Net \xb1 LoRA.</summary></entry>\n</feed>\n"
                     .encode("latin-1"))
    [paper] = ingest([feed]).papers
    assert (paper.title, paper.abstract, paper.arxiv_id) == (
        "CaféNet", "We propose CaféNet ± LoRA.", "2601.00007")
    assert [(x.source, x.line) for x in paper.listings] == [("latin.atom", 3)]


def test_line_separators_inside_a_json_string_stay_in_the_record(tmp_path: Path):
    """U+2028 is legal inside JSON strings: records are split at newlines only."""
    listing = tmp_path / "ls.jsonl"
    listing.write_text('{"title": "Split\u2028Title", "abstract": "One\u2029two."}\n'
                       '{"title": "Second", "abstract": "Three."}\n', encoding="utf-8")
    papers = ingest([listing]).papers
    assert [(p.title, p.abstract) for p in papers] == [("Split Title", "One two."),
                                                       ("Second", "Three.")]


def test_clean_collapses_whitespace_as_the_regex_does():
    every_space = "".join(c for c in map(chr, range(0x110000)) if re.fullmatch(r"\s", c))
    text = f"{every_space}a{every_space}b c\u00a0\u00a0d{every_space}"
    assert clean(text) == re.sub(r"\s+", " ", text).strip() == "a b c d"
