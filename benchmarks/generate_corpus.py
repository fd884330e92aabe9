"""A synthetic corpus for speed and scale measurements.

    python benchmarks/generate_corpus.py --papers N [--seed S] -o corpus.jsonl

Writes N papers (id, title, abstract, date) whose artifact names follow the lexicon with a
Zipf distribution (a few names are everywhere, most are rare), mixed with new invented
names that papers introduce, in sentence shapes abstracts use ("We propose X, a ...",
"X outperforms Y on Z", "trained on D", definitions "Long Form (LF)"). Texts differ from
paper to paper, so the tokenizer's cache does not flatter either side of a comparison.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
from collections.abc import Iterator
from pathlib import Path

from kg.extract.lexicon import load_lexicon
from kg.model import EntityType

SYLLABLES = ["ro", "ta", "ve", "lin", "qua", "zor", "mi", "pex", "dra", "nu", "sol", "kai",
             "ber", "tron", "fy", "gen", "lum", "ox", "sa", "wex"]
SUFFIXES = ["Net", "Former", "GPT", "-LM", "Bench", "QA", "Coder", "Diff", "-X", "++", "2"]
TOPICS = ["code generation", "mathematical reasoning", "image segmentation", "speech recognition",
          "retrieval", "instruction following", "long-context modeling", "video understanding",
          "protein design", "robot control", "machine translation", "time-series forecasting"]
FILLER = ["Recent advances have made {topic} a central problem for the community.",
          "However, existing approaches remain costly and brittle at scale.",
          "We analyse why this happens and what can be done about it.",
          "Our results suggest that careful data curation matters more than model size.",
          "Extensive ablations confirm the contribution of each component.",
          "Code and models are publicly available."]


def zipf_sampler(names: list[str], rng: random.Random, exponent: float = 1.1):
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** exponent
                                           for rank in range(len(names))))
    return lambda k: rng.choices(names, cum_weights=cumulative, k=k)


def new_name(rng: random.Random) -> str:
    stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return stem.capitalize() + rng.choice(SUFFIXES)


def papers(count: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed)
    lexicon = load_lexicon()
    by_type = {kind: [e.name for e in lexicon.entries if e.type is kind] for kind in EntityType}
    for kind in by_type:
        rng.shuffle(by_type[kind])
    pick = {kind: zipf_sampler(names, rng) for kind, names in by_type.items()}
    for number in range(count):
        name, topic = new_name(rng), rng.choice(TOPICS)
        models, benchmarks = pick[EntityType.MODEL](3), pick[EntityType.BENCHMARK](2)
        dataset, method = pick[EntityType.DATASET](1)[0], pick[EntityType.METHOD](1)[0]
        long_form = " ".join(w.capitalize() for w in rng.sample(
            ["adaptive", "sparse", "token", "routing", "contrastive", "memory", "latent",
             "hierarchical", "gradient", "alignment"], 3))
        acronym = "".join(w[0] for w in long_form.split()).upper()
        sentences = [
            rng.choice(FILLER).format(topic=topic),
            f"We propose {name}, a {rng.choice(['simple', 'scalable', 'unified'])} "
            f"{rng.choice(['framework', 'model', 'method'])} for {topic}.",
            f"{name} builds on {method} and introduces {long_form} ({acronym}).",
            f"We train on {dataset} and evaluate on {benchmarks[0]} and {benchmarks[1]}.",
            f"{name} outperforms {models[0]} and {models[1]}, and matches {models[2]} "
            f"with {rng.randint(2, 40)}x fewer parameters.",
            rng.choice(FILLER).format(topic=topic),
        ]
        yield {"id": number, "title": f"{name}: {long_form} for {topic.title()}",
               "abstract": " ".join(sentences), "date": f"2026-{rng.randint(1, 12):02d}-"
               f"{rng.randint(1, 28):02d}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        for paper in papers(args.papers, args.seed):
            out.write(json.dumps(paper) + "\n")


if __name__ == "__main__":
    main()
