"""The lexicon data files are well formed and consistent with each other."""

import json
from collections import defaultdict

from kg.extract.lexicon import default_lexicon_dir, load_lexicon
from kg.model import EntityType, normalize_form


def test_every_entry_is_well_formed_and_typed_by_its_file():
    file_type = {"models": "Model", "datasets": "Dataset", "benchmarks": "Benchmark",
                 "methods": "Method"}
    for path in default_lexicon_dir().glob("*.jsonl"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            record = json.loads(line)
            assert set(record) <= {"name", "type", "aliases", "family"}, (path.name, number)
            assert record["type"] == file_type[path.stem], (path.name, number)
            # "GLUE benchmark" would make the type word part of the name: cues handle it
            for alias in record.get("aliases", []):
                assert not alias.lower().endswith((" benchmark", " dataset", " corpus")), alias


def test_size_families_and_no_spelling_owned_twice():
    lexicon = load_lexicon()
    assert len(lexicon) >= 3000
    assert {e.type for e in lexicon.entries} == set(EntityType)
    names = {e.name for e in lexicon.entries}
    assert all(e.family in names for e in lexicon.entries if e.family)
    owners = defaultdict(set)
    for entry in lexicon.entries:
        for form in entry.forms:
            owners[normalize_form(form)].add(entry.name)
    # the only shared spellings are names told apart by case (SuperGLUE / SuperGlue)
    for form, entries in owners.items():
        assert len({name.lower() for name in entries}) == 1, (form, entries)
        assert all(lexicon.lookup(name).name == name for name in entries), form


def test_case_aware_lookup_and_non_entities():
    lexicon = load_lexicon()
    assert lexicon.lookup("SuperGLUE").type is EntityType.BENCHMARK
    assert lexicon.lookup("SuperGlue").type is EntityType.MODEL
    assert lexicon.lookup("LLAMA-2").name == "Llama 2" and lexicon.lookup("llama") is None
    assert lexicon.lookup("Math") is None and lexicon.lookup("MATH").name == "MATH"
    for term in ("LLMs", "GPU", "OpenAI", "Python", "BLEU"):
        assert lexicon.is_not_entity(term), term
        assert lexicon.lookup(term) is None, term
