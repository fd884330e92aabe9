"""The SPARQL query library (kg/queries/*.rq): every query's exact answer on the mini corpus.

The expected rows are worked out from what the four mini listings say (tests/data/mini):

    QuillNet: Sparse Adapters ...   (listing-a, "Oct 2")  introduces QuillNet (Method); uses
        Llama-2-7B, LoRA / Low-Rank Adaptation, GSM8K, MATH
    Counting Stars ...               (listing-a, "Oct 2", and listing-b, 2026-10-03)
        introduces StarCount (Benchmark); uses CLIP, GPT-4, ViT, ImageNet
    Grade-School Math Without Tears  (listing-b, 2026-10-03)  uses Chain-of-Thought / CoT,
        GPT-4, Llama 2, GSM8K, SVAMP
    Pile Up: Filtering Web Text ...  (listing-c, 2026-10-04)  introduces PileUp (Dataset);
        uses The Pile, C4, StarCoder, HumanEval, MBPP
    Faster Decoding with Draft Trees (listing-d, 2026-10-05)  introduces DraftTree (Method);
        uses Llama-2-7B, Mistral-7B, HumanEval

Listing dates (kg:listingDate) are the date lines of Daily Papers listings: only the text
listing (listing-a, "Oct 2") has one; the other formats give papers dates (dcterms:issued).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

import kg
from kg.query import QueryError, library, query

MINI = Path(__file__).parent / "data" / "mini"

QUILL = "QuillNet: Sparse Adapters for Fast Math Reasoning"
STARS = "Counting Stars: A Benchmark for Visual Enumeration"
GRADE = "Grade-School Math Without Tears"
PILE = "Pile Up: Filtering Web Text for Code"
DRAFT = "Faster Decoding with Draft Trees"

# What each mini paper mentions according to its text, and each entity's type.
TEXT_ENTITIES = {
    QUILL: {"QuillNet", "LoRA", "GSM8K", "MATH", "Llama-2-7B"},
    STARS: {"StarCount", "CLIP", "GPT-4", "ViT", "ImageNet"},
    GRADE: {"Chain-of-Thought", "GPT-4", "Llama 2", "GSM8K", "SVAMP"},
    PILE: {"PileUp", "The Pile", "C4", "StarCoder", "HumanEval", "MBPP"},
    DRAFT: {"DraftTree", "Llama-2-7B", "Mistral 7B", "HumanEval"},
}
TYPES = {
    "QuillNet": "Method", "LoRA": "Method", "Chain-of-Thought": "Method",
    "DraftTree": "Method", "GSM8K": "Benchmark", "MATH": "Benchmark",
    "StarCount": "Benchmark", "SVAMP": "Benchmark", "HumanEval": "Benchmark",
    "MBPP": "Benchmark", "ImageNet": "Dataset", "PileUp": "Dataset", "The Pile": "Dataset",
    "C4": "Dataset", "CLIP": "Model", "GPT-4": "Model", "ViT": "Model", "Llama 2": "Model",
    "Llama-2-7B": "Model", "Mistral 7B": "Model", "StarCoder": "Model",
}


def text_pairs() -> list[tuple[str, ...]]:
    """cooccurring-entities with min_papers=1, as the texts have it: every pair once."""
    pairs = {pair for names in TEXT_ENTITIES.values()
             for pair in itertools.combinations(sorted(names), 2)}
    return [("1", a, TYPES[a], b, TYPES[b], "1") for a, b in sorted(pairs)]


# (query, parameters, the exact rows)
CASES = [
    # papers-using-entity: by name, by alias in any case, an introduced one, an unknown one
    ("papers-using-entity", {}, [
        ("GSM8K", "GSM8K", GRADE, "used"),
        ("GSM8K", "GSM8K", QUILL, "used"),
    ]),
    ("papers-using-entity", {"entity": "cot"}, [
        ("cot", "Chain-of-Thought", GRADE, "used"),
    ]),
    ("papers-using-entity", {"entity": "StarCount"}, [
        ("StarCount", "StarCount", STARS, "introduced"),
    ]),
    ("papers-using-entity", {"entity": "BERT"}, []),
    # introduced-by-paper: part of a title, case-insensitive
    ("introduced-by-paper", {"paper": "counting stars"}, [
        ("counting stars", STARS, "StarCount", "Benchmark"),
    ]),
    ("introduced-by-paper", {"paper": "a"}, [  # every title with an "a" that introduces
        ("a", STARS, "StarCount", "Benchmark"),
        ("a", DRAFT, "DraftTree", "Method"),
        ("a", QUILL, "QuillNet", "Method"),
    ]),
    ("introduced-by-paper", {"paper": "Grade-School"}, []),  # it only uses
    # top-benchmarks: GSM8K (QuillNet, Grade-School) and HumanEval (Pile Up, DraftTree)
    ("top-benchmarks", {}, [
        ("2", "GSM8K", "2", "2", "3"),
        ("2", "HumanEval", "2", "2", "2"),
    ]),
    ("top-benchmarks", {"min_papers": "1"}, [
        ("1", "GSM8K", "2", "2", "3"),
        ("1", "HumanEval", "2", "2", "2"),
        ("1", "MATH", "1", "1", "1"),
        ("1", "MBPP", "1", "1", "1"),
        ("1", "SVAMP", "1", "1", "1"),
        ("1", "StarCount", "1", "0", "3"),  # introduced, not used; named three times
    ]),
    # top-datasets: no dataset is in two papers
    ("top-datasets", {}, []),
    ("top-datasets", {"min_papers": "1"}, [
        ("1", "C4", "1", "1", "1"),
        ("1", "ImageNet", "1", "1", "1"),
        ("1", "The Pile", "1", "1", "1"),
        ("1", "PileUp", "1", "0", "3"),
    ]),
    # models-on-benchmark: HumanEval is evaluated on in Pile Up and Faster Decoding
    ("models-on-benchmark", {"benchmark": "humaneval"}, [
        ("humaneval", "DraftTree", "Method", "1", DRAFT),
        ("humaneval", "Llama-2-7B", "Model", "1", DRAFT),
        ("humaneval", "Mistral 7B", "Model", "1", DRAFT),
        ("humaneval", "StarCoder", "Model", "1", PILE),
    ]),
    ("models-on-benchmark", {"benchmark": "GPT-4"}, []),  # a model, not a benchmark
    pytest.param("models-on-benchmark", {}, [
        ("GSM8K", "Chain-of-Thought", "Method", "1", GRADE),
        ("GSM8K", "GPT-4", "Model", "1", GRADE),
        ("GSM8K", "Llama 2", "Model", "1", GRADE),
        ("GSM8K", "Llama-2-7B", "Model", "1", QUILL),
        ("GSM8K", "LoRA", "Method", "1", QUILL),
        ("GSM8K", "QuillNet", "Method", "1", QUILL),
    ], id="models-on-benchmark-gsm8k"),
    # related-papers: weight = sum of 1/paperCount over the shared entities
    ("related-papers", {"paper": "grade-school"}, [
        ("grade-school", GRADE, STARS, "1", "0.5", "GPT-4"),
        ("grade-school", GRADE, QUILL, "1", "0.5", "GSM8K"),
    ]),
    ("related-papers", {"paper": "Pile Up"}, [
        ("Pile Up", PILE, DRAFT, "1", "0.5", "HumanEval"),
    ]),
    pytest.param("related-papers", {"paper": "QuillNet"}, [
        ("QuillNet", QUILL, DRAFT, "1", "0.5", "Llama-2-7B"),
        ("QuillNet", QUILL, GRADE, "1", "0.5", "GSM8K"),
    ], id="related-papers-quillnet"),
    # model-family: descendants along skos:broader, with parent and depth
    ("model-family", {"family": "gpt"}, [
        ("gpt", "GPT-4", "Model", "GPT", "1", "2"),
    ]),
    ("model-family", {"family": "Parameter-Efficient Fine-Tuning"}, [
        ("Parameter-Efficient Fine-Tuning", "LoRA", "Method", "Parameter-Efficient Fine-Tuning",
         "1", "1"),
    ]),
    ("model-family", {"family": "GSM8K"}, []),  # no variants
    pytest.param("model-family", {}, [
        ("LLaMA", "Llama 2", "Model", "LLaMA", "1", "1"),
        ("LLaMA", "Llama-2-7B", "Model", "Llama 2", "2", "2"),  # QuillNet and DraftTree
    ], id="model-family-llama"),
    # introduced-per-date: only listing-a is a Daily Papers listing with a date line
    ("introduced-per-date", {}, [
        ("Oct 2", "2", "2", "QuillNet, StarCount"),
    ]),
    # cooccurring-entities: no two entities share two papers
    ("cooccurring-entities", {}, []),
    pytest.param("cooccurring-entities", {"min_papers": "1"}, text_pairs(),
                 id="cooccurring-entities-all"),
    # evidence: every mention with its sentence and offsets into title + blank line + abstract
    ("evidence", {}, [
        ("GSM8K", "GSM8K", GRADE, "GSM8K", "93", "98", "lexicon",
         "Chain-of-Thought (CoT) prompting helps GPT-4 and Llama 2 on GSM8K."),
        ("GSM8K", "GSM8K", GRADE, "GSM8K", "179", "184", "lexicon",
         "We study when CoT fails and show that self-consistency recovers most errors on "
         "GSM8K and SVAMP."),
        ("GSM8K", "GSM8K", QUILL, "GSM8K", "244", "249", "lexicon",
         "We evaluate on GSM8K and MATH, where QuillNet improves accuracy over LoRA by 3 "
         "points."),
    ]),
    ("evidence", {"entity": "low-rank adaptation"}, [
        ("low-rank adaptation", "LoRA", QUILL, "Low-Rank Adaptation", "165", "184", "lexicon",
         "Compared with Low-Rank Adaptation (LoRA), QuillNet updates 40% fewer weights."),
        ("low-rank adaptation", "LoRA", QUILL, "LoRA", "186", "190", "lexicon",
         "Compared with Low-Rank Adaptation (LoRA), QuillNet updates 40% fewer weights."),
        ("low-rank adaptation", "LoRA", QUILL, "LoRA", "298", "302", "lexicon",
         "We evaluate on GSM8K and MATH, where QuillNet improves accuracy over LoRA by 3 "
         "points."),
    ]),
    ("evidence", {"entity": "StarCount"}, [  # one paper, though listed twice
        ("StarCount", "StarCount", STARS, "StarCount", "65", "74", "we-propose",
         "We introduce StarCount, a new benchmark for counting objects in images."),
        ("StarCount", "StarCount", STARS, "StarCount", "166", "175", "echo",
         "Models such as CLIP and GPT-4 struggle on StarCount, while a ViT trained on "
         "ImageNet does better."),
        ("StarCount", "StarCount", STARS, "StarCount", "233", "242", "we-propose",
         "We release StarCount under an open licence."),
    ]),
    # entity-aliases: the canonical name first, then the aliases
    ("entity-aliases", {}, [
        ("LoRA", "LoRA", "Method", "LoRA", "name", "Parameter-Efficient Fine-Tuning", "1", "3"),
        ("LoRA", "LoRA", "Method", "Low-Rank Adaptation", "alias",
         "Parameter-Efficient Fine-Tuning", "1", "3"),
    ]),
    ("entity-aliases", {"entity": "mistral-7b"}, [
        ("mistral-7b", "Mistral 7B", "Model", "Mistral 7B", "name", "Mistral", "1", "1"),
        ("mistral-7b", "Mistral 7B", "Model", "Mistral-7B", "alias", "Mistral", "1", "1"),
    ]),
    ("entity-aliases", {"entity": "CoT"}, [
        ("CoT", "Chain-of-Thought", "Method", "Chain-of-Thought", "name", None, "1", "3"),
        ("CoT", "Chain-of-Thought", "Method", "CoT", "alias", None, "1", "3"),
    ]),
    # entities-of-type: most papers first, then most mentions; lexicon families at 0
    ("entities-of-type", {}, [
        ("Benchmark", "GSM8K", None, "2", "3", "0"),
        ("Benchmark", "HumanEval", None, "2", "2", "0"),
        ("Benchmark", "StarCount", None, "1", "3", "1"),
        ("Benchmark", "MATH", None, "1", "1", "0"),
        ("Benchmark", "MBPP", None, "1", "1", "0"),
        ("Benchmark", "SVAMP", None, "1", "1", "0"),
    ]),
    ("entities-of-type", {"type": "dataset"}, [
        ("dataset", "PileUp", None, "1", "3", "1"),
        ("dataset", "C4", None, "1", "1", "0"),
        ("dataset", "ImageNet", None, "1", "1", "0"),
        ("dataset", "The Pile", None, "1", "1", "0"),
    ]),
    ("entities-of-type", {"type": "Method"}, [
        ("Method", "QuillNet", None, "1", "4", "1"),
        ("Method", "Chain-of-Thought", None, "1", "3", "0"),
        ("Method", "LoRA", "Parameter-Efficient Fine-Tuning", "1", "3", "0"),
        ("Method", "DraftTree", None, "1", "2", "1"),
        ("Method", "Parameter-Efficient Fine-Tuning", None, "0", "0", "0"),
    ]),
    ("entities-of-type", {"type": "Paper"}, []),
    # new-entities-since: papers with an ISO date on or after the day, newest first
    ("new-entities-since", {"since": "2026-10-04"}, [
        ("2026-10-04", "DraftTree", "Method", DRAFT, "2026-10-05"),
        ("2026-10-04", "PileUp", "Dataset", PILE, "2026-10-04"),
    ]),
    ("new-entities-since", {"since": "2026-10-06"}, []),
]

# example values for the parameters that have no default
REQUIRED = {"paper": "QuillNet", "since": "2026-10-04"}
INJECTION = 'GSM8K" } ; DROP ALL ; #'


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = kg.build([MINI], tmp_path_factory.mktemp("queries") / "out")
    assert built.directory is not None
    return built.directory


@pytest.mark.parametrize(("name", "params", "expected"), CASES)
def test_exact_answer(mini: Path, name: str, params: dict[str, str],
                      expected: list[tuple[str | None, ...]]) -> None:
    assert query(mini, name, params).values() == expected


def test_every_query_has_an_exact_answer_case() -> None:
    """Every library query has an exact-answer case that passes (not only an xfail)."""
    tested = {case[0] for case in CASES if not hasattr(case, "marks")}
    assert set(library()) <= tested


def test_library_has_at_least_ten_queries() -> None:
    assert len(library()) >= 10
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name) for name in library())


@pytest.mark.parametrize("name", sorted(library()))
def test_header_and_declared_params_run(mini: Path, name: str) -> None:
    item = library()[name]
    assert item.title and item.description
    assert all(param.help for param in item.params)
    given = {p.name: REQUIRED[p.name] for p in item.params if p.default is None}
    result = query(mini, name, given)
    # the runner binds a parameter as a literal: it must be a projected variable
    assert {p.name for p in item.params} <= set(result.variables)
    assert len(set(result.variables)) == len(result.variables)


@pytest.mark.parametrize("name", ["introduced-by-paper", "related-papers",
                                  "new-entities-since"])
def test_missing_required_param_raises(mini: Path, name: str) -> None:
    with pytest.raises(QueryError, match="missing parameter"):
        query(mini, name)


def test_unknown_param_raises(mini: Path) -> None:
    with pytest.raises(QueryError, match="unknown parameter"):
        query(mini, "papers-using-entity", {"entity": "GSM8K", "limit": "3"})


@pytest.mark.parametrize("name", sorted(n for n, q in library().items() if q.params))
def test_param_with_sparql_syntax_is_a_literal(mini: Path, name: str) -> None:
    given = {p.name: INJECTION for p in library()[name].params}
    assert query(mini, name, given).values() == []
    # the store is untouched
    assert query(mini, "papers-using-entity").values() == CASES[0][2]


def test_cooccurring_pairs_are_right_and_ordered(mini: Path) -> None:
    """min_papers=1: every pair the texts give, once, a < b, in order."""
    rows = query(mini, "cooccurring-entities", {"min_papers": "1"}).values()
    assert set(rows) == set(text_pairs())
    assert len(rows) == len(set(rows))
    assert all(a < b for _, a, _, b, _, _ in rows)
    assert rows == sorted(rows, key=lambda row: (row[1], row[3]))
