"""Query: SPARQL over a build's Oxigraph store, with a library of named queries.

In: a query (a library name, a .rq file, or SPARQL text), parameter values, a build folder.
Out: `QueryResult` (variables and rows of RDF terms), rendered as a table, CSV, TSV or
SPARQL JSON results.

Library queries live in kg/queries/*.rq, each opening with a comment header:

    # title: Papers that use an entity
    # description: ... (may span several lines)
    # param: entity = GSM8K -- a name or alias of the entity

Parameters are bound as RDF literals through Oxigraph's substitutions (SEP-0007), never
spliced into the query text; a parameter must therefore be a projected variable of the
query (library queries show the value they were asked about as a column).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import pyoxigraph

from kg.rdf import open_store

HEADER = re.compile(r"^#\s*(title|description|param):\s*(.*)$")
PARAM = re.compile(r"^(?P<name>\w+)(?:\s*=\s*(?P<default>.*?))?\s*(?:\s--\s+(?P<help>.*))?$")


class QueryError(Exception):
    """A query that cannot run: unknown name, missing parameter, SPARQL syntax."""


@dataclass
class Param:
    name: str
    default: str | None
    help: str


@dataclass
class LibraryQuery:
    name: str
    title: str
    description: str
    params: list[Param]
    text: str


@dataclass
class QueryResult:
    variables: list[str]
    rows: list[list[pyoxigraph.NamedNode | pyoxigraph.Literal | pyoxigraph.BlankNode | None]]

    def values(self) -> list[tuple[str | None, ...]]:
        """Rows as plain strings (an IRI's or literal's value), for Python use and tests."""
        return [tuple(term.value if term is not None else None for term in row)
                for row in self.rows]


def parse_library_query(name: str, text: str) -> LibraryQuery:
    fields: dict[str, list[str]] = {"title": [], "description": [], "param": []}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            last = match.group(1)
            fields[last].append(match.group(2).strip())
        elif last == "description":
            fields["description"].append(line.lstrip("#").strip())
    params = []
    for spec in fields["param"]:
        match = PARAM.match(spec)
        if match is None:
            raise QueryError(f"{name}.rq: bad param line: {spec!r}")
        default = match.group("default")
        params.append(Param(match.group("name"), default.strip() if default else None,
                            (match.group("help") or "").strip()))
    return LibraryQuery(name=name, title=" ".join(fields["title"]),
                        description=" ".join(fields["description"]), params=params, text=text)


def library() -> dict[str, LibraryQuery]:
    """The bundled queries by name (file name without .rq)."""
    folder = files("kg").joinpath("queries")
    return {path.name[:-3]: parse_library_query(path.name[:-3], path.read_text("utf-8"))
            for path in sorted(folder.iterdir(), key=lambda p: p.name)
            if path.name.endswith(".rq")}


def find_query(spec: str) -> tuple[str, list[Param]]:
    """A library name, a path to a .rq file, or SPARQL text -> (text, declared params)."""
    queries = library()
    if spec in queries:
        return queries[spec].text, queries[spec].params
    if spec.endswith(".rq") or (len(spec) < 300 and "\n" not in spec and Path(spec).is_file()):
        path = Path(spec)
        if not path.is_file():
            raise QueryError(f"{spec}: no such query file (library: {', '.join(queries)})")
        parsed = parse_library_query(path.stem, path.read_text(encoding="utf-8"))
        return parsed.text, parsed.params
    if not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", spec, re.IGNORECASE):
        raise QueryError(f"{spec!r} is not a library query ({', '.join(queries)}), "
                         "a .rq file or SPARQL text")
    return spec, []


def bindings(params: list[Param], given: dict[str, str]) -> dict[pyoxigraph.Variable,
                                                                  pyoxigraph.Literal]:
    """Declared defaults overridden by the given values, as literals (integers stay typed)."""
    values = {p.name: p.default for p in params if p.default is not None} | given
    missing = [p.name for p in params if values.get(p.name) is None]
    if missing:
        raise QueryError(f"missing parameter(s): {', '.join(missing)} "
                         f"(give them with --param {missing[0]}=VALUE)")
    return {pyoxigraph.Variable(name): literal_for(value) for name, value in values.items()}


def literal_for(value: str) -> pyoxigraph.Literal:
    if re.fullmatch(r"-?\d+", value):
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))
    return pyoxigraph.Literal(value)


def run_query(store: pyoxigraph.Store, text: str, params: list[Param] | None = None,
              given: dict[str, str] | None = None) -> QueryResult:
    """Run a SELECT (or ASK) query with its parameters bound as literals."""
    try:
        result = store.query(text, substitutions=bindings(params or [], given or {}) or None)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except RuntimeError as err:
        raise QueryError(str(err)) from err
    if isinstance(result, pyoxigraph.QueryBoolean):
        return QueryResult(["answer"], [[pyoxigraph.Literal(str(bool(result)).lower())]])
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise QueryError("only SELECT and ASK queries are supported here")
    variables = [v.value for v in result.variables]
    rows = [[solution[v] for v in variables] for solution in result]
    return QueryResult(variables, rows)


def query(directory: Path | str, spec: str, given: dict[str, str] | None = None) -> QueryResult:
    """Run a library query, a .rq file or SPARQL text over the store of a build folder."""
    store_dir = Path(directory) / "store"
    if not store_dir.is_dir():
        raise QueryError(f"{store_dir}: no Oxigraph store here; run `kg build` first")
    text, params = find_query(spec)
    undeclared = set(given or {}) - {p.name for p in params}
    if params and undeclared:
        raise QueryError(f"unknown parameter(s): {', '.join(sorted(undeclared))} "
                         f"(this query takes {', '.join(p.name for p in params)})")
    declared = params or [Param(name, None, "") for name in (given or {})]
    return run_query(open_store(store_dir), text, declared, given)


def render_delimited(result: QueryResult, delimiter: str) -> str:
    """CSV (RFC 4180) or TSV of the plain values, with a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(result.variables)
    for row in result.values():
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue()


def render_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    def term(value: object) -> dict:
        if isinstance(value, pyoxigraph.NamedNode):
            return {"type": "uri", "value": value.value}
        if isinstance(value, pyoxigraph.BlankNode):
            return {"type": "bnode", "value": value.value}
        literal: dict = {"type": "literal", "value": value.value}
        if value.language:
            literal["xml:lang"] = value.language
        elif value.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            literal["datatype"] = value.datatype.value
        return literal

    bindings_list = [{var: term(value) for var, value in zip(result.variables, row, strict=True)
                      if value is not None} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables},
                       "results": {"bindings": bindings_list}}, indent=1, ensure_ascii=False)
