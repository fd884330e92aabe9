"""The `kg` command as a user runs it: real processes, real files."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import DATA, MINI

DESIGN_FILES = ["graph.ttl", "graph.nt", "graph.jsonld", "graph.html", "graph.graphml",
                "graph.json", "extractions.jsonl", "entities.csv", "papers.csv", "report.md",
                "store"]


def kg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    result = kg("build", str(MINI), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "papers" in result.stdout and "RDF triples" in result.stdout
    return out


def test_build_writes_every_design_file(cli_build):
    for name in DESIGN_FILES:
        assert (cli_build / name).exists(), name
    assert (cli_build / "store").is_dir()
    lines = (cli_build / "extractions.jsonl").read_text().splitlines()
    assert len(lines) == 5
    assert all({"id", "title", "entities"} <= json.loads(line).keys() for line in lines)
    assert "| entity | type | papers |" in (cli_build / "report.md").read_text()


def test_default_build_is_the_bundled_sample(tmp_path):
    result = kg("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    papers = (tmp_path / "outputs" / "papers.csv").read_text().splitlines()
    assert len(papers) == 1 + 324
    for name in DESIGN_FILES:
        assert (tmp_path / "outputs" / name).exists(), name


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("bad.jsonl", '{"title": "A", "abstract": "B"}\n{"title": "C",\n', "bad.jsonl:2: invalid JSON"),
    ("bad.csv", "title,summary\nA,B\n", "bad.csv:1: CSV header lacks column(s): abstract"),
    ("bad.txt", "Aug 3\n\nOnly a title\n", "bad.txt:3: title has no abstract"),
])
def test_bad_input_is_one_line_exit_2_and_previous_outputs_untouched(cli_build, tmp_path, name,
                                                                    content, expected):
    before = snapshot(cli_build)
    bad = tmp_path / name
    bad.write_text(content)
    result = kg("build", str(bad), "-o", str(cli_build))
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert snapshot(cli_build) == before
    assert not list(cli_build.parent.glob(".out.*.tmp"))


def test_missing_input_is_exit_2(tmp_path):
    result = kg("build", str(tmp_path / "nope.txt"), "-o", str(tmp_path / "o"))
    assert result.returncode == 2 and "no such file or folder" in result.stderr
    assert not (tmp_path / "o").exists()


def test_rebuild_keeps_files_the_build_does_not_own(cli_build):
    readme = cli_build / "README.md"
    readme.write_text("notes\n")
    assert kg("build", str(MINI), "-o", str(cli_build)).returncode == 0
    assert readme.read_text() == "notes\n"


def test_extract_then_eval(tmp_path):
    predictions = tmp_path / "pred.jsonl"
    result = kg("extract", str(DATA / "dev-papers.jsonl"), "-o", str(predictions))
    assert result.returncode == 0, result.stderr
    assert len(predictions.read_text().splitlines()) == 324
    result = kg("eval", "--gold", str(DATA / "dev-gold.jsonl"), str(predictions), "--json")
    assert result.returncode == 0, result.stderr
    scores = json.loads(result.stdout)
    assert scores["papers"] == 324
    assert {"untyped", "typed", "per_type", "role_accuracy"} <= scores.keys()
    # the small spaCy English NER scores 0.49 untyped / 0.18 typed on this gold file;
    # tests/test_quality.py holds the floors
    assert scores["untyped"]["f1"] >= 0.80


def test_eval_errors_lists_misses(tmp_path):
    result = kg("eval", "--gold", str(DATA / "dev-gold.jsonl"), "--errors")
    assert result.returncode == 0, result.stderr
    assert "missed:" in result.stdout and "false positive:" in result.stdout


def test_eval_bad_gold_file_is_exit_2(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": 1, "title": "T", "entities": [{"name": "X", "type": "Thing"}]}\n')
    result = kg("eval", "--gold", str(gold), str(MINI))
    assert result.returncode == 2
    assert "gold.jsonl:1: not a gold record: entities.0.type" in result.stderr


def test_committed_schemas_are_generated_from_the_model(tmp_path):
    assert kg("schemas", str(tmp_path)).returncode == 0
    committed = Path(__file__).parent.parent / "schemas"
    generated = sorted(p.name for p in tmp_path.glob("*.json"))
    assert generated and generated == sorted(p.name for p in committed.glob("*.schema.json"))
    for name in generated:
        assert (tmp_path / name).read_text() == (committed / name).read_text(), name


def test_help_everywhere():
    for command in ([], ["build"], ["extract"], ["eval"], ["schemas"]):
        result = kg(*command, "--help")
        assert result.returncode == 0 and "Usage" in result.stdout


def test_query_formats_and_errors(cli_build):
    result = kg("query", "papers-using-entity", "--dir", str(cli_build), "-p", "entity=gsm8k",
                "-f", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "entity,name,title,role"
    assert sorted(lines[1:]) == [
        "gsm8k,GSM8K,Grade-School Math Without Tears,used",
        "gsm8k,GSM8K,QuillNet: Sparse Adapters for Fast Math Reasoning,used"]
    as_json = json.loads(kg("query", "papers-using-entity", "--dir", str(cli_build),
                            "-f", "json").stdout)
    assert as_json["head"]["vars"] == ["entity", "name", "title", "role"]
    assert len(as_json["results"]["bindings"]) == 2
    tsv = kg("query", "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }", "--dir", str(cli_build),
             "-f", "tsv")
    assert tsv.returncode == 0 and tsv.stdout.splitlines()[0] == "n"
    listing = kg("query", "--list")
    assert "papers-using-entity" in listing.stdout
    missing = kg("query", "introduced-by-paper", "--dir", str(cli_build))
    assert missing.returncode == 2 and "missing parameter(s): paper" in missing.stderr
    syntax = kg("query", "SELECT ?x WHERE { oops", "--dir", str(cli_build))
    assert syntax.returncode == 2 and "SPARQL syntax error" in syntax.stderr
    nostore = kg("query", "papers-using-entity", "--dir", str(cli_build.parent / "nothing"))
    assert nostore.returncode == 2 and "no Oxigraph store here" in nostore.stderr


def test_validate_command(cli_build):
    result = kg("validate", str(cli_build))
    assert result.returncode == 0 and "conforms" in result.stdout


def test_analyze_similar_and_path(cli_build):
    result = kg("analyze", str(cli_build))
    assert result.returncode == 0, result.stderr
    report = (cli_build / "report.md").read_text()
    assert report.startswith("# kg build report") and "## Analysis" in report
    assert (cli_build / "top-entities.png").exists()
    similar = kg("similar", "QuillNet: Sparse Adapters for Fast Math Reasoning", "--dir",
                 str(cli_build), "-k", "2")
    assert similar.returncode == 0 and "GSM8K" in similar.stdout
    steps = kg("path", "LoRA", "GSM8K", "--dir", str(cli_build)).stdout.splitlines()
    assert steps == ["LoRA <--uses-- QuillNet: Sparse Adapters for Fast Math Reasoning",
                     "QuillNet: Sparse Adapters for Fast Math Reasoning --uses--> GSM8K"]
    unknown = kg("path", "LoRA", "NoSuchThing", "--dir", str(cli_build))
    assert unknown.returncode == 2 and "NoSuchThing" in unknown.stderr
    # a new build drops the plots along with the report they belong to
    assert kg("build", str(MINI), "-o", str(cli_build)).returncode == 0
    assert not (cli_build / "top-entities.png").exists()
