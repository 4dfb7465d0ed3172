"""The model's declared data tests (glue/sql/schema.yml and glue/sql/tests/*.sql), compiled as
src/core/model/tests.ts compiles them, to the same SQL text, and run on the tables as written."""
from __future__ import annotations

import re
from typing import Any, Dict, List

from job_common import JobError, first_line, json_value, strip_trailing_semicolon

SAMPLE_ROWS = 5
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _compile_generic(kind: str, args: Any, model: str, column: str, models: List[str], where: str) -> Dict[str, Any]:
    args = args or {}
    if not isinstance(args, dict):
        raise JobError(f"{where}: {kind} takes a mapping of arguments.")
    severity = (args.get("config") or {}).get("severity", "error")
    if severity not in ("error", "warn"):
        raise JobError(f"{where}: severity must be 'error' or 'warn'.")
    test = {"kind": kind, "model": model, "column": column, "severity": severity}
    if kind == "unique":
        return {**test, "id": f"unique_{model}_{column}",
                "sql": f"select {column}, count(*) as duplicate_rows from {model} where {column} is not null "
                       f"group by {column} having count(*) > 1"}
    if kind == "not_null":
        return {**test, "id": f"not_null_{model}_{column}", "sql": f"select * from {model} where {column} is null"}
    if kind == "relationships":
        m = re.match(r"^ref\(\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*\)$", str(args.get("to", "")))
        field_name = str(args.get("field", ""))
        if not m or m.group(1) not in models or not _IDENT.match(field_name):
            raise JobError(f"{where}: relationships needs to: ref('<model>') of a model and a field.")
        parent = m.group(1)
        return {**test, "id": f"relationships_{model}_{column}_to_{parent}",
                "sql": f"select child.* from {model} as child left join {parent} as parent "
                       f"on child.{column} = parent.{field_name} "
                       f"where child.{column} is not null and parent.{field_name} is null"}
    if kind == "accepted_values":
        values = [str(v) for v in args.get("values") or []]
        if not values or any("'" in v or "\\" in v for v in values):
            raise JobError(f"{where}: accepted_values needs values without quotes or backslashes.")
        listed = ", ".join(f"'{v}'" for v in values)
        return {**test, "id": f"accepted_values_{model}_{column}",
                "sql": f"select * from {model} where {column} not in ({listed})"}
    raise JobError(f"{where}: unknown test '{kind}'.")


def plan_data_tests(files: Dict[str, str], models: List[str]) -> List[Dict[str, Any]]:
    """The declared tests of the SQL folder (file name -> text): schema.yml's generic tests, then tests/*.sql."""
    tests: List[Dict[str, Any]] = []
    if "schema.yml" in files:
        try:
            import yaml  # PyYAML: read only when the folder declares tests
        except ImportError as err:
            raise JobError("schema.yml declares data tests, but this Python has no PyYAML to read it: give the job "
                           "--additional-python-modules PyYAML.") from err
        try:
            doc = yaml.safe_load(files["schema.yml"]) or {}
        except yaml.YAMLError as err:
            raise JobError(f"The data tests in schema.yml are not valid: not YAML ({first_line(err)}).") from err
        for model in doc.get("models") or []:
            name = model.get("name")
            if name not in models:
                raise JobError(f"The data tests in schema.yml are not valid: model {name}: there is no {name}.sql.")
            for column in model.get("columns") or []:
                col = column.get("name", "")
                if not _IDENT.match(str(col)):
                    raise JobError(f"The data tests in schema.yml are not valid: {name}: a column name must be a plain "
                                   "identifier.")
                for i, entry in enumerate(column.get("tests") or []):
                    where = f"The data tests in schema.yml are not valid: {name}.{col} test {i + 1}"
                    if isinstance(entry, str):
                        kind, args = entry, None
                    elif isinstance(entry, dict) and len(entry) == 1:
                        kind, args = next(iter(entry.items()))
                    else:
                        raise JobError(f"{where}: a test is a name or a mapping of one test name to its arguments.")
                    tests.append(_compile_generic(kind, args, name, col, models, where))
    for file_name in sorted(f for f in files if f.startswith("tests/") and f.endswith(".sql")):
        test_id = file_name[len("tests/"):-len(".sql")]
        text = files[file_name]
        declared = re.search(r"^\s*--\s*severity\s*:\s*(\S+)", text, re.I | re.M)
        body = re.sub(r"--[^\n]*", "", strip_trailing_semicolon(text)).strip()
        reads = [m for m in re.findall(r"\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_]*)", body, re.I) if m in models]
        if not reads:
            raise JobError(f"The data test {file_name} reads none of the models.")
        tests.append({"id": test_id, "kind": "singular", "model": reads[0],
                      "severity": declared.group(1) if declared else "error", "sql": strip_trailing_semicolon(text)})
    return tests


def run_data_tests(spark, tests: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Each test's failing rows counted and the first SAMPLE_ROWS kept, as dataTests.ts records them."""
    results = []
    for test in tests:
        try:
            count = int(spark.sql(f"select count(*) as failing from ({test['sql']}) as failing_rows").collect()[0][0])
            sample_sql = f"select * from ({test['sql']}) as failing_rows limit {SAMPLE_ROWS}"
            rows = spark.sql(sample_sql).collect() if count else []
        except Exception as err:
            raise JobError(f"The data test {test['id']} failed to run on Spark SQL: {first_line(err)}") from err
        result = {"id": test["id"], "kind": test["kind"], "model": test["model"], "severity": test["severity"],
                  "status": "pass" if count == 0 else "fail" if test["severity"] == "error" else "warn",
                  "failingRows": count, "sample": [{k: json_value(v) for k, v in r.asDict().items()} for r in rows]}
        if test.get("column"):
            result["column"] = test["column"]
        results.append(result)
    return results


def test_check(result: Dict[str, Any]) -> Dict[str, Any]:
    """A result as a check of the manifest, as dataTests.ts's testCheck makes it."""
    where = result["model"] + (f".{result['column']}" if result.get("column") else "")
    if result["status"] == "pass":
        message = f"{where}: no failing rows"
    else:
        n = result["failingRows"]
        shown = ", ".join("(" + ", ".join(f"{k}={'NULL' if v is None else v}" for k, v in row.items()) + ")"
                          for row in result["sample"][:3])
        message = (f"{n} failing row{'' if n == 1 else 's'} in {where}"
                   f"{' (severity warn)' if result['severity'] == 'warn' else ''}: {shown}{', ...' if n > 3 else ''}")
    check = {"name": result["id"], "ok": result["status"] != "fail", "expected": "0",
             "actual": str(result["failingRows"]), "message": message}
    if result["status"] == "warn":
        check["warning"] = True
    return check
