"""The dashboard's fixed answers, recorded in the run manifest as the local pipeline records them.

The questions are the dashboard's own SQL (src/core/dashboard/recorded.ts), written to dashboard_questions.json by
scripts/glue-dashboard-questions.mjs and shipped beside the job (terraform/glue.tf's --extra-files). The job asks them
of the tables it has just written, so a dashboard opened on the new lake reads these answers from the manifest instead
of asking Athena (whose bill is the bytes each query scans). The answers take the shape the editor's engines give:
columns named and typed as DuckDB names types, numbers as JSON numbers, dates as YYYY-MM-DD.

Shipped beside glue_job.py: terraform/glue.tf names this module in the job's --extra-py-files.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Dict, Optional

from job_common import first_line, json_value, shipped_file

QUESTIONS_NAME = "dashboard_questions.json"

RECORD_CHOICES = ("auto", "always", "never")

# Spark's simple type names as the editor's engines name them (src/core/aws/athenaValues.ts: DuckDB's upper case).
_TYPE_NAMES = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "smallint": "SMALLINT", "tinyint": "TINYINT",
               "double": "DOUBLE", "float": "FLOAT", "boolean": "BOOLEAN", "date": "DATE", "timestamp": "TIMESTAMP"}


def load_questions() -> Optional[Dict[str, Any]]:
    """The questions shipped with the job, or None when they were not (a script run alone records nothing)."""
    try:
        with open(shipped_file(QUESTIONS_NAME, __file__), encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def should_record(choice: str, fact_rows: int, questions: Optional[Dict[str, Any]]) -> bool:
    """'always', or 'auto' on facts of at least the questions' recordMinFactRows rows (below it the dashboard asks
    the lake as fast as it reads it); never without questions."""
    if questions is None or choice == "never":
        return False
    return choice == "always" or fact_rows >= int(questions["recordMinFactRows"])


def column_type(simple: str) -> str:
    if simple.startswith("decimal("):
        return simple.upper().replace(" ", "")
    return _TYPE_NAMES.get(simple, simple.upper())


def answer(df) -> Dict[str, Any]:
    """{columns, rows} of a query's DataFrame, in the shape of the manifest's recorded answers."""
    columns = [{"name": f.name, "type": column_type(f.dataType.simpleString())} for f in df.schema.fields]
    return {"columns": columns, "rows": [[json_value(v) for v in row] for row in df.collect()]}


def record_dashboard(spark, questions: Dict[str, Any]) -> Dict[str, Any]:
    """The manifest's `dashboard`: the filter options, the recorded answers and the unfiltered Top-N of every date,
    asked of the tables registered under the model's names."""
    countries, product_lines, date_range = (answer(spark.sql(sql))["rows"] for sql in questions["filterOptions"])
    first, last = (date_range[0] if date_range else [None, None])
    options = {
        "countries": [str(r[0]) for r in countries],
        "productLines": [str(r[0]) for r in product_lines],
        "firstOrderDate": "" if first is None else str(first),
        "lastOrderDate": "" if last is None else str(last),
    }
    answers = {qid: answer(spark.sql(sql)) for qid, sql in questions["answers"].items()}
    top = questions["topProducts"]
    params = {"startDate": options["firstOrderDate"], "endDate": options["lastOrderDate"], "country": "",
              "productLine": "", "n": int(top["n"])}
    top_answer = answer(spark.sql(top["sql"], args=params))
    return {"filterOptions": options, "answers": answers,
            "topProducts": {**top_answer, "startDate": params["startDate"], "endDate": params["endDate"],
                            "n": params["n"]}}


def record_or_skip(spark, choice: str, fact_rows: int, log: Callable[[str], None]) -> Optional[Dict[str, Any]]:
    """The recorded answers, or None (not asked for, or a question failed: the run goes on and the dashboard asks the
    lake itself, as the local pipeline does)."""
    questions = load_questions()
    if questions is None and choice == "always":
        log(f"warning: {QUESTIONS_NAME} is neither beside the job nor in its working directory (--extra-files); "
            "the dashboard's answers were not recorded")
    if not should_record(choice, fact_rows, questions):
        return None
    try:
        return record_dashboard(spark, questions)
    except Exception as err:  # Spark's AnalysisException and parse errors
        log(f"warning: the dashboard's answers were not recorded: {first_line(err)}")
        return None

