"""Evaluate: predicted entities per paper vs a gold file -> precision, recall, F1, role accuracy.

In: two lists of `GoldPaper` (gold, predicted). Out: `Scores` with untyped and typed micro
averages, per-type figures, role accuracy and, per paper, the misses and false positives.
Implements the scoring rules of the gold guidelines: papers pair by normalized title; a
prediction matches a gold entity when any of their normalized forms are equal; predictions
matching an optional gold entity are ignored; a second prediction matching an already matched
gold entity is a false positive; a type mismatch counts one false positive and one false
negative in the typed figures.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from kg.ingest import InputError
from kg.model import GoldEntity, GoldPaper, normalize_form, normalize_title


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn}


@dataclass
class PaperErrors:
    title: str
    missed: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    wrong_type: list[str] = field(default_factory=list)
    wrong_role: list[str] = field(default_factory=list)


@dataclass
class Scores:
    untyped: Counts = field(default_factory=Counts)
    typed: Counts = field(default_factory=Counts)
    per_type: dict[str, Counts] = field(default_factory=dict)
    role_correct: int = 0
    role_total: int = 0
    papers: int = 0
    unpaired_predictions: int = 0
    errors: list[PaperErrors] = field(default_factory=list)

    @property
    def role_accuracy(self) -> float:
        return self.role_correct / self.role_total if self.role_total else 0.0

    def as_dict(self) -> dict:
        return {"papers": self.papers, "untyped": self.untyped.as_dict(),
                "typed": self.typed.as_dict(),
                "per_type": {t: c.as_dict() for t, c in sorted(self.per_type.items())},
                "role_accuracy": round(self.role_accuracy, 4),
                "unpaired_predictions": self.unpaired_predictions}


def forms_of(entity: GoldEntity) -> set[str]:
    return {normalize_form(f) for f in [entity.name, *entity.aliases]} - {""}


def describe(entity: GoldEntity) -> str:
    return f"{entity.name} ({entity.type.value}, {entity.role.value})"


def score_paper(gold: GoldPaper, predicted: GoldPaper, scores: Scores) -> None:
    """Add one paper's matches and errors to `scores`."""
    gold_forms = [forms_of(g) for g in gold.entities]
    matched: set[int] = set()
    errors = PaperErrors(gold.title)
    for prediction in predicted.entities:
        forms = forms_of(prediction)
        hits = [i for i, g in enumerate(gold_forms) if g & forms]
        free = [i for i in hits if i not in matched and not gold.entities[i].optional]
        if not free and any(gold.entities[i].optional for i in hits):
            continue
        if not free:
            scores.untyped.fp += 1
            scores.typed.fp += 1
            scores.per_type.setdefault(prediction.type.value, Counts()).fp += 1
            errors.false_positives.append(describe(prediction))
            continue
        target = gold.entities[free[0]]
        matched.add(free[0])
        scores.untyped.tp += 1
        if target.type == prediction.type:
            scores.typed.tp += 1
            scores.per_type.setdefault(target.type.value, Counts()).tp += 1
            scores.role_total += 1
            if target.role == prediction.role:
                scores.role_correct += 1
            else:
                errors.wrong_role.append(f"{describe(prediction)} gold {target.role.value}")
        else:
            scores.typed.fp += 1
            scores.typed.fn += 1
            scores.per_type.setdefault(prediction.type.value, Counts()).fp += 1
            scores.per_type.setdefault(target.type.value, Counts()).fn += 1
            errors.wrong_type.append(f"{describe(prediction)} gold {target.type.value}")
    for i, entity in enumerate(gold.entities):
        if i not in matched and not entity.optional:
            scores.untyped.fn += 1
            scores.typed.fn += 1
            scores.per_type.setdefault(entity.type.value, Counts()).fn += 1
            errors.missed.append(describe(entity))
    if errors.missed or errors.false_positives or errors.wrong_type or errors.wrong_role:
        scores.errors.append(errors)


def score(gold: list[GoldPaper], predicted: list[GoldPaper]) -> Scores:
    """Micro-averaged scores of `predicted` against `gold` (pairs by normalized title).

    >>> from kg.model import GoldEntity as E
    >>> g = [GoldPaper(id=1, title="T", entities=[E(name="LoRA", type="Method", role="used")])]
    >>> p = [GoldPaper(id=1, title="T", entities=[E(name="Lora", type="Method", role="used")])]
    >>> round(score(g, p).typed.f1, 2)
    1.0
    """
    by_title = {normalize_title(p.title): p for p in predicted}
    scores = Scores(papers=len(gold))
    for gold_paper in gold:
        prediction = by_title.pop(normalize_title(gold_paper.title), None)
        score_paper(gold_paper, prediction or GoldPaper(id=gold_paper.id, title=gold_paper.title),
                    scores)
    scores.unpaired_predictions = len(by_title)
    return scores


def read_gold(path: Path) -> list[GoldPaper]:
    """Read a gold-format JSON Lines file (also the format of `kg extract`)."""
    papers = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, None, f"cannot read gold file: {err}") from err
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            papers.append(GoldPaper.model_validate(json.loads(line)))
        except json.JSONDecodeError as err:
            raise InputError(path, number, f"invalid JSON: {err.msg}") from err
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise InputError(path, number, f"not a gold record: {where}: {first['msg']}") from err
    return papers
