from kg.evaluate import score
from kg.model import GoldEntity, GoldPaper


def entity(name, type_="Method", role="used", aliases=(), optional=False):
    return GoldEntity(name=name, type=type_, role=role, aliases=list(aliases), optional=optional)


def paper(*entities, title="A Paper"):
    return GoldPaper(id=1, title=title, entities=list(entities))


def test_alias_match_counts_once_and_a_second_prediction_is_a_false_positive():
    gold = [paper(entity("Low-Rank Adaptation", aliases=["LoRA"]))]
    predicted = [paper(entity("LoRA"), entity("Low Rank Adaptation"), title="a paper")]
    scores = score(gold, predicted)
    assert (scores.untyped.tp, scores.untyped.fp, scores.untyped.fn) == (1, 1, 0)


def test_optional_gold_is_neither_rewarded_nor_penalised():
    gold = [paper(entity("Transformer", "Model", optional=True), entity("BERT", "Model"))]
    scores = score(gold, [paper(entity("Transformer", "Model"))])
    assert (scores.untyped.tp, scores.untyped.fp, scores.untyped.fn) == (0, 0, 1)


def test_type_mismatch_is_one_fp_and_one_fn_in_typed_scores_only():
    gold = [paper(entity("GSM8K", "Benchmark"))]
    scores = score(gold, [paper(entity("GSM8K", "Dataset"))])
    assert scores.untyped.f1 == 1.0
    assert (scores.typed.tp, scores.typed.fp, scores.typed.fn) == (0, 1, 1)
    assert scores.per_type["Dataset"].fp == 1 and scores.per_type["Benchmark"].fn == 1


def test_role_accuracy_over_typed_matches():
    gold = [paper(entity("X1", role="introduced"), entity("Y2", role="used"))]
    scores = score(gold, [paper(entity("X1", role="used"), entity("Y2", role="used"))])
    assert scores.role_total == 2 and scores.role_accuracy == 0.5


def test_unpaired_papers():
    gold = [paper(entity("BERT", "Model"))]
    scores = score(gold, [paper(entity("BERT", "Model"), title="Other")])
    assert scores.untyped.fn == 1 and scores.unpaired_predictions == 1
