"""The lab's ETL as an AWS Glue (Spark) job: the star-schema model of glue/sql over the classicmodels source.

Flow (the same as the local DuckDB engine in src/core/lake/pipeline.ts):
  1. read the job arguments and the model SQL files (every `*.sql` under the SQL prefix);
  2. read the source totals (row counts, exact SUM(quantityOrdered * priceEach)) and the model's source columns;
  3. run the model files in order (stg_*, dim_*, fact_*), registering each result as a view by its name;
  4. write each published table (dim_*, fact_*) as Parquet to a new run prefix, `<lake>/gold/<table>/run=<runId>/`;
  5. reconcile what was written against the source; any failed check fails the run, and nothing is published;
  6. publish: point each catalog table at its new prefix, write `gold/_manifest.json`, drop older runs (keep 2).

Everything that talks to Glue, S3 or the catalog sits behind an adapter (GlueAdapter here; LocalAdapter in
local_run.py), so the same `run_job` runs on Glue and on any Spark cluster.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

# The arguments the job reads (Glue passes `--<name> <value>`; Glue adds JOB_NAME itself).
# terraform/glue.tf passes exactly these; the Terraform test reads this tuple from this file.
JOB_ARGUMENTS = ("connection_name", "source_database", "lake_path", "catalog_database", "sql_prefix")

MODEL = "star-v1"
# Run order of the model files by name prefix; stg_* results are internal, the others are published.
MODEL_GROUPS = ("stg_", "dim_", "fact_")
PUBLISHED_GROUPS = ("dim_", "fact_")
REQUIRED_TABLES = ("dim_customers", "dim_locations", "dim_products", "fact_orders")
# Run prefixes kept per table after a successful publish (the new one and the one before it).
KEEP_RUNS = 2

# The source columns the model reads, with the staging types of src/core/lake/sourceSchema.ts
# (a test compares the two). Order: small tables first, so a missing table fails before the big one is read.
SOURCE_TABLES: Tuple[Tuple[str, Tuple[Tuple[str, str], ...]], ...] = (
    ("productlines", (("productLine", "VARCHAR"), ("textDescription", "VARCHAR"))),
    ("products", (
        ("productCode", "VARCHAR"), ("productName", "VARCHAR"), ("productLine", "VARCHAR"),
        ("productScale", "VARCHAR"), ("productVendor", "VARCHAR"), ("productDescription", "VARCHAR"),
        ("buyPrice", "DECIMAL(10,2)"), ("MSRP", "DECIMAL(10,2)"))),
    ("customers", (
        ("customerNumber", "INTEGER"), ("customerName", "VARCHAR"), ("contactLastName", "VARCHAR"),
        ("contactFirstName", "VARCHAR"), ("phone", "VARCHAR"), ("addressLine1", "VARCHAR"),
        ("addressLine2", "VARCHAR"), ("city", "VARCHAR"), ("state", "VARCHAR"), ("postalCode", "VARCHAR"),
        ("country", "VARCHAR"), ("creditLimit", "DECIMAL(10,2)"))),
    ("orders", (
        ("orderNumber", "INTEGER"), ("orderDate", "DATE"), ("requiredDate", "DATE"), ("shippedDate", "DATE"),
        ("status", "VARCHAR"), ("customerNumber", "INTEGER"))),
    ("orderdetails", (
        ("orderNumber", "INTEGER"), ("productCode", "VARCHAR"), ("quantityOrdered", "INTEGER"),
        ("priceEach", "DECIMAL(10,2)"), ("orderLineNumber", "SMALLINT"))),
)

# Spark SQL types for the staging types.
SPARK_TYPES = {"INTEGER": "int", "SMALLINT": "smallint", "VARCHAR": "string", "DECIMAL(10,2)": "decimal(10,2)",
               "DATE": "date"}

# How each published table is sorted when written (facts by date: row groups then cover short date ranges).
WRITE_ORDER = {"fact_orders": ("orderDate", "orderNumber", "orderLineNumber")}


class JobError(Exception):
    """A failure with a message for the person running the job; the run publishes nothing."""


# ------------------------------------------------------------------------------------------------------------
# Arguments

_ARGUMENT_RULES: Dict[str, Tuple[str, str]] = {
    "connection_name": (r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}$", "a Glue connection name"),
    "source_database": (r"^[A-Za-z0-9_$]{1,64}$", "a MySQL database name (letters, digits, _ or $)"),
    "lake_path": (r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$", "an s3://bucket[/prefix] URL"),
    "catalog_database": (r"^[a-z0-9_]{1,255}$", "a Glue catalog database name (lower case, digits, _)"),
    "sql_prefix": (r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$", "an s3://bucket[/prefix] URL"),
}


def parse_job_arguments(argv: Sequence[str], names: Sequence[str] = JOB_ARGUMENTS,
                        rules: Optional[Dict[str, Tuple[str, str]]] = None) -> Dict[str, str]:
    """Reads `--name value` (or `--name=value`) for each name; a missing or malformed one fails naming it."""
    rules = _ARGUMENT_RULES if rules is None else rules
    found: Dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token.startswith("--"):
            key, eq, value = token[2:].partition("=")
            if key in names:
                if not eq:
                    if i + 1 >= len(argv) or argv[i + 1].startswith("--"):
                        raise JobError(f"Job argument --{key} has no value.")
                    value = argv[i + 1]
                    i += 1
                found[key] = value
        i += 1
    missing = [n for n in names if n not in found]
    if missing:
        raise JobError(f"Missing job argument{'s' if len(missing) > 1 else ''}: "
                       f"{', '.join('--' + n for n in missing)}. Set them in the job's default arguments "
                       "(terraform/glue.tf) or pass them to the run.")
    for name in names:
        pattern, what = rules.get(name, (r".+", "a value"))
        if not re.match(pattern, found[name]):
            raise JobError(f"Job argument --{name} must be {what}; got {found[name]!r}.")
    return found


# ------------------------------------------------------------------------------------------------------------
# Model files

@dataclass
class ModelFile:
    name: str
    sql: str
    published: bool


def strip_trailing_semicolon(sql: str) -> str:
    return re.sub(r";\s*$", "", sql.strip()).strip()


def plan_models(files: Dict[str, str]) -> List[ModelFile]:
    """Orders the model files (file name -> SQL): stg_*, then dim_*, then fact_*, alphabetical within each."""
    by_group: Dict[str, List[str]] = {g: [] for g in MODEL_GROUPS}
    for file_name in files:
        if not file_name.endswith(".sql") or "/" in file_name:
            continue
        stem = file_name[:-len(".sql")]
        group = next((g for g in MODEL_GROUPS if stem.startswith(g)), None)
        if group is None or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", stem):
            raise JobError(f"The model file {file_name} has no known prefix: a model file is named "
                           "stg_<name>.sql, dim_<name>.sql or fact_<name>.sql.")
        by_group[group].append(stem)
    stems = {s for g in by_group.values() for s in g}
    missing = [t for t in REQUIRED_TABLES if t not in stems]
    if missing:
        raise JobError(f"The model file{'s' if len(missing) > 1 else ''} "
                       f"{', '.join(t + '.sql' for t in missing)} {'are' if len(missing) > 1 else 'is'} missing "
                       "from the SQL folder.")
    plan = []
    for group in MODEL_GROUPS:
        for stem in sorted(by_group[group]):
            sql = strip_trailing_semicolon(files[stem + ".sql"])
            if not sql:
                raise JobError(f"The model file {stem}.sql is empty.")
            plan.append(ModelFile(stem, sql, stem.startswith(PUBLISHED_GROUPS)))
    return plan


# ------------------------------------------------------------------------------------------------------------
# Reconciliation (the checks of src/core/lake/reconcile.ts: same names, messages and semantics)

def to_cents(text: str) -> Optional[int]:
    m = re.match(r"^(-?)(\d+)(?:\.(\d{1,2}))?$", text.strip())
    if not m:
        return None
    cents = int(m.group(2)) * 100 + int((m.group(3) or "").ljust(2, "0"))
    return -cents if m.group(1) == "-" else cents


def format_cents(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def make_check(name: str, expected: str, actual: str, ok: bool, what: str) -> Dict[str, Any]:
    message = f"{what}: {actual}" if ok else f"{what}: expected {expected}, got {actual}"
    return {"name": name, "ok": ok, "expected": expected, "actual": actual, "message": message}


def reconcile(scalar: Callable[[str], str], table: Callable[[str], str],
              source: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The source checks over what was written; `scalar` runs Spark SQL, `table(name)` names the written table's view.
    Keys, orphans and duplicates are declared data tests (glue/sql/schema.yml, below)."""
    checks = []
    fact = table("fact_orders")
    expected_rows = str(source["counts"].get("orderdetails", 0))
    fact_rows = scalar(f"select count(*) from {fact}")
    checks.append(make_check("fact_rows_match_source", expected_rows, fact_rows, fact_rows == expected_rows,
                             "fact_orders rows = source orderdetails rows"))

    lake_total = scalar(f"select cast(coalesce(sum(orderAmount), 0) as string) from {fact}")
    lake_cents, source_cents = to_cents(lake_total), to_cents(source["orderAmountTotal"])
    checks.append(make_check(
        "order_amount_matches_source",
        source["orderAmountTotal"] if source_cents is None else format_cents(source_cents),
        lake_total if lake_cents is None else format_cents(lake_cents),
        lake_cents is not None and lake_cents == source_cents,
        "SUM(orderAmount) = source SUM(quantityOrdered × priceEach)"))

    return checks


# ------------------------------------------------------------------------------------------------------------
# The job

@dataclass
class SourceInfo:
    host: str
    port: int
    database: str


@dataclass
class WrittenTable:
    name: str
    location: str
    rows: int
    columns: List[Tuple[str, str]]
    parts: List[Dict[str, Any]] = field(default_factory=list)


class Adapter:
    """What the job needs from where it runs. GlueAdapter (below) and LocalAdapter (local_run.py) implement it."""

    engine_name = "spark"

    def sql_files(self) -> Dict[str, str]:
        """Model files: file name -> SQL text."""
        raise NotImplementedError

    def source_info(self) -> SourceInfo:
        raise NotImplementedError

    def read_source(self, spark, query: str):
        """A DataFrame of a SQL query run on the source database."""
        raise NotImplementedError

    def run_location(self, table: str, run_id: str) -> str:
        """Where this run writes the table (a prefix no reader uses yet)."""
        raise NotImplementedError

    def list_parts(self, location: str) -> List[Dict[str, Any]]:
        """The Parquet files under a written location: [{file, bytes, sha256}] (file relative to the table folder)."""
        raise NotImplementedError

    def publish(self, run_id: str, tables: List[WrittenTable], manifest: Dict[str, Any]) -> None:
        """Makes the run's tables what readers see, all together, then writes the manifest."""
        raise NotImplementedError

    def clean_up(self, run_id: str, tables: List[str]) -> None:
        """After a successful publish: removes older runs' files."""

    def discard(self, run_id: str, tables: List[str]) -> None:
        """After a failure: removes what the run wrote (nothing readers see)."""


def new_run_id(now: datetime.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def iso(now: datetime.datetime) -> str:
    return now.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def first_line(err: BaseException) -> str:
    text = str(err).strip()
    lines = text.splitlines()
    # A Spark call that failed in the JVM (py4j) says first only which call it was ("An error occurred while calling
    # o46.load."); the Java exception, e.g. the JDBC driver's "Communications link failure", is the line after it.
    if lines and lines[0].startswith("An error occurred while calling"):
        cause = next((line.lstrip(": ").strip() for line in lines[1:] if line.strip(": \t")), "")
        if cause:
            return f"{cause} ({lines[0].rstrip('.')})"
    return lines[0] if lines else type(err).__name__


def quote_mysql(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def read_source_totals(spark, adapter: Adapter) -> Dict[str, Any]:
    """Row counts of the source tables and the exact order total, read from the source itself."""
    counts_sql = " union all ".join(
        f"select '{name}' as tbl, count(*) as n from {quote_mysql(name)}" for name, _ in SOURCE_TABLES)
    counts = {row[0]: int(row[1]) for row in adapter.read_source(spark, counts_sql).collect()}
    total_sql = ("select cast(coalesce(sum(quantityOrdered * priceEach), 0) as char) as total "
                 "from `orderdetails`")
    total = adapter.read_source(spark, total_sql).collect()[0][0]
    return {"counts": {name: counts.get(name, 0) for name, _ in SOURCE_TABLES}, "orderAmountTotal": str(total)}


def register_sources(spark, adapter: Adapter) -> None:
    """Each source table as a temp view with only the model's columns, cast to the staging types."""
    for name, columns in SOURCE_TABLES:
        query = f"select {', '.join(quote_mysql(c) for c, _ in columns)} from {quote_mysql(name)}"
        df = adapter.read_source(spark, query)
        df = df.selectExpr(*[f"cast(`{c}` as {SPARK_TYPES[t]}) as `{c}`" for c, t in columns])
        # Read once (on first use): every model and write reuse the same rows, and the source sees one read per table.
        df.persist()
        df.createOrReplaceTempView(name)


def run_models(spark, plan: List[ModelFile]) -> Dict[str, Any]:
    results = {}
    for model in plan:
        try:
            df = spark.sql(model.sql)
            df.createOrReplaceTempView(model.name)
        except Exception as err:  # Spark's AnalysisException and parse errors
            raise JobError(f"The model file {model.name}.sql failed on Spark SQL: {first_line(err)}") from err
        results[model.name] = df
    return results


# The manifest's contract with the TypeScript side (src/core/run/manifest.ts holds the same schema in valibot): beside
# the script (a checkout, local runs), else in the working directory, where Glue copies the job's --extra-files
# (terraform/glue.tf names the uploaded schema there).
MANIFEST_SCHEMA_NAME = "manifest.schema.json"
MANIFEST_SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), MANIFEST_SCHEMA_NAME)


def manifest_schema_file() -> str:
    """Where the schema is: beside the script, else in the working directory (where it is absent, the former)."""
    for path in (MANIFEST_SCHEMA_FILE, os.path.join(os.getcwd(), MANIFEST_SCHEMA_NAME)):
        if os.path.isfile(path):
            return path
    return MANIFEST_SCHEMA_FILE
_JSON_TYPES: Dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool), "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
}


def _schema_problems(value: Any, schema: Dict[str, Any], root: Dict[str, Any], where: str) -> List[str]:
    """The subset of JSON Schema manifest.schema.json uses, for a Python without the jsonschema package."""
    if "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    types = schema.get("type")
    if types is not None and not any(_JSON_TYPES[t](value) for t in ([types] if isinstance(types, str) else types)):
        return [f"{where}: {value!r} is not of type {types}"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: {value!r} is not {schema['const']!r}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    if "minimum" in schema and value < schema["minimum"]:
        return [f"{where}: {value!r} is less than {schema['minimum']}"]
    problems = []
    if isinstance(value, dict):
        problems += [f"{where}: {key!r} is a required property"
                     for key in schema.get("required", []) if key not in value]
        for key, item in value.items():
            sub = schema.get("properties", {}).get(key, schema.get("additionalProperties", {}))
            problems += _schema_problems(item, sub, root, f"{where}/{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            problems += _schema_problems(item, schema["items"], root, f"{where}/{i}")
    return problems


def manifest_problems(manifest: Dict[str, Any], schema: Dict[str, Any]) -> List[str]:
    """What makes the manifest break its schema (none when it keeps it), by jsonschema when installed."""
    try:
        import jsonschema
    except ImportError:
        return _schema_problems(manifest, schema, schema, "manifest")
    return [f"manifest/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}".replace("manifest/:", "manifest:")
            for e in jsonschema.Draft202012Validator(schema).iter_errors(manifest)]


def refuse_invalid_manifest(manifest: Dict[str, Any], log: Callable[[str], None],
                            schema_file: Optional[str] = None) -> None:
    """Raises JobError, so nothing is published, when the manifest breaks the schema readers rely on."""
    schema_file = schema_file or manifest_schema_file()
    try:
        with open(schema_file, encoding="utf-8") as f:
            schema = json.load(f)
    except FileNotFoundError:
        # Glue fetches the script alone unless --extra-files ships the schema too: publish, and say it went unchecked.
        log(f"run {manifest.get('runId')}: warning: {os.path.basename(schema_file)} is neither beside the job nor in "
            "its working directory (--extra-files); the manifest was not checked against it")
        return
    problems = manifest_problems(manifest, schema)
    if problems:
        raise JobError("The run's manifest breaks manifest.schema.json, so nothing was published: "
                       + "; ".join(problems[:5]) + (f" ({len(problems) - 5} more)" if len(problems) > 5 else ""))
    log(f"run {manifest.get('runId')}: the manifest keeps {os.path.basename(schema_file)} (checked against "
        f"{schema_file})")


def run_job(spark, adapter: Adapter, log: Callable[[str], None] = print,
            clock: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc)
            ) -> Dict[str, Any]:
    """One run; returns the manifest. Raises JobError (naming what failed) after discarding what it wrote."""
    started = clock()
    run_id = new_run_id(started)
    log(f"run {run_id}: reading the model files")
    files = adapter.sql_files()
    plan = plan_models(files)
    data_tests = plan_data_tests(files, [m.name for m in plan])
    published = [m.name for m in plan if m.published]
    info = adapter.source_info()
    where = f"{info.host}:{info.port}/{info.database}"

    log(f"run {run_id}: reading the source {where}")
    try:
        totals = read_source_totals(spark, adapter)
        register_sources(spark, adapter)
    except JobError:
        raise
    except Exception as err:
        raise JobError(f"The source {where} could not be read: {first_line(err)}") from err

    log(f"run {run_id}: running {len(plan)} model files")
    frames = run_models(spark, plan)

    written: List[WrittenTable] = []
    try:
        for name in published:
            location = adapter.run_location(name, run_id)
            df = frames[name]
            order = WRITE_ORDER.get(name)
            if order:
                df = df.orderBy(*order)
            try:
                df.write.mode("errorifexists").option("compression", "zstd").parquet(location)
            except Exception as err:
                raise JobError(f"Writing {name} to {location} failed: {first_line(err)}") from err
            # The checks read what was stored, not the plan that produced it.
            stored = spark.read.parquet(location)
            view = f"written_{name}"
            stored.createOrReplaceTempView(view)
            rows = stored.count()
            columns = [(f.name, f.dataType.simpleString()) for f in stored.schema.fields]
            written.append(WrittenTable(name, location, rows, columns, adapter.list_parts(location)))
            log(f"run {run_id}: wrote {name}: {rows} rows")

        def scalar(sql: str) -> str:
            value = spark.sql(sql).collect()[0][0]
            return "" if value is None else str(value)

        checks = reconcile(scalar, lambda t: f"written_{t}", totals)
        # The declared tests read the models by name: each published one is now what was stored.
        for t in written:
            spark.table(f"written_{t.name}").createOrReplaceTempView(t.name)
        test_results = run_data_tests(spark, data_tests)
        checks += [test_check(r) for r in test_results]
        for check in checks:
            status = "FAILED" if not check["ok"] else "warn" if check.get("warning") else "ok"
            log(f"run {run_id}: check {check['name']}: {status} ({check['message']})")
        failed = [c for c in checks if not c["ok"]]
        if failed:
            raise JobError("Reconciliation failed: " + "; ".join(f"{c['name']} ({c['message']})" for c in failed)
                           + ". Nothing was published; readers still see the previous run.")

        manifest = {
            "runId": run_id,
            "startedAt": iso(started),
            "finishedAt": iso(clock()),
            "model": MODEL,
            "engine": {"name": adapter.engine_name, "version": spark.version},
            "source": {"host": info.host, "port": info.port, "database": info.database,
                       "counts": totals["counts"], "orderAmountTotal": totals["orderAmountTotal"]},
            "tables": {t.name: {"rows": t.rows, "files": len(t.parts), "bytes": sum(p["bytes"] for p in t.parts),
                                "location": t.location, "parts": t.parts} for t in written},
            "checks": checks,
            "tests": test_results,
            "ok": True,
        }
        refuse_invalid_manifest(manifest, log)
        adapter.publish(run_id, written, manifest)
    except BaseException:
        adapter.discard(run_id, published)
        raise
    log(f"run {run_id}: published {', '.join(published)}")
    try:
        adapter.clean_up(run_id, published)
    except Exception as err:  # the run is published; old files only cost storage
        log(f"run {run_id}: warning: removing older runs failed: {first_line(err)}")
    return manifest


# ------------------------------------------------------------------------------------------------------------
# Declared data tests (glue/sql/schema.yml and glue/sql/tests/*.sql), compiled as src/core/model/tests.ts compiles
# them, to the same SQL text, and run on the tables as written.

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


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return float(value)  # Decimal: a number, as the local engine records it


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
                  "failingRows": count, "sample": [{k: _json_value(v) for k, v in r.asDict().items()} for r in rows]}
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


# ------------------------------------------------------------------------------------------------------------
# Glue

def split_s3(url: str) -> Tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix") without a trailing slash."""
    rest = url[len("s3://"):]
    bucket, _, key = rest.partition("/")
    return bucket, key.strip("/")


def join_key(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


def parse_jdbc_url(url: str) -> Tuple[str, int, str]:
    """jdbc:mysql://host:3306/db?x=y -> (host, port, db)."""
    m = re.match(r"^jdbc:(?:mysql|mariadb)://([^:/?]+)(?::(\d+))?(?:/([^?]*))?", url)
    if not m:
        raise JobError(f"The Glue connection's JDBC_CONNECTION_URL is not a jdbc:mysql:// URL: {url!r}.")
    return m.group(1), int(m.group(2) or 3306), m.group(3) or ""


class GlueAdapter(Adapter):
    """Reads the source through the Glue connection's properties (its network path is the job's connection),
    writes to S3 and publishes through the Glue Data Catalog."""

    def __init__(self, args: Dict[str, str], glue_client, s3_client, secrets_client=None):
        self.args = args
        self.glue = glue_client
        self.s3 = s3_client
        self.secrets = secrets_client
        self.lake_bucket, self.lake_prefix = split_s3(args["lake_path"])
        self._jdbc: Optional[Dict[str, str]] = None

    # -- source
    def _connection(self) -> Dict[str, str]:
        if self._jdbc is not None:
            return self._jdbc
        name = self.args["connection_name"]
        try:
            conn = self.glue.get_connection(Name=name, HidePassword=False)["Connection"]
        except Exception as err:
            raise JobError(f"The Glue connection {name!r} could not be read: {first_line(err)}") from err
        props = conn.get("ConnectionProperties", {})
        url = props.get("JDBC_CONNECTION_URL", "")
        host, port, _ = parse_jdbc_url(url)
        if props.get("SECRET_ID"):
            if self.secrets is None:
                raise JobError(f"The Glue connection {name!r} uses a secret but no Secrets Manager client was given.")
            try:
                secret = json.loads(self.secrets.get_secret_value(SecretId=props["SECRET_ID"])["SecretString"])
                user, password = secret["username"], secret["password"]
            except Exception as err:
                raise JobError(f"The secret of the Glue connection {name!r} could not be read "
                               f"(expected JSON with username and password): {first_line(err)}") from err
        else:
            user, password = props.get("USERNAME", ""), props.get("PASSWORD", "")
        if not user:
            raise JobError(f"The Glue connection {name!r} has no USERNAME and no SECRET_ID.")
        db = self.args["source_database"]
        self._jdbc = {"url": f"jdbc:mysql://{host}:{port}/{db}", "host": host, "port": str(port),
                      "user": user, "password": password}
        return self._jdbc

    def source_info(self) -> SourceInfo:
        c = self._connection()
        return SourceInfo(c["host"], int(c["port"]), self.args["source_database"])

    def read_source(self, spark, query: str):
        c = self._connection()
        return (spark.read.format("jdbc").option("url", c["url"]).option("driver", "com.mysql.cj.jdbc.Driver")
                .option("user", c["user"]).option("password", c["password"]).option("query", query).load())

    def sql_files(self) -> Dict[str, str]:
        bucket, prefix = split_s3(self.args["sql_prefix"])
        files = {}
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(prefix) + 1:] if prefix else obj["Key"]
                    # The model files, and the declared data tests beside them.
                    if not (("/" not in rel and rel.endswith(".sql")) or rel == "schema.yml"
                            or re.match(r"^tests/[^/]+\.sql$", rel)):
                        continue
                    files[rel] = self.s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("utf-8")
        except Exception as err:
            where = self.args["sql_prefix"]
            raise JobError(f"The model files under {where} could not be read: {first_line(err)}") from err
        return files

    # -- lake
    def _table_key(self, table: str) -> str:
        return join_key(self.lake_prefix, "gold", table)

    def run_location(self, table: str, run_id: str) -> str:
        return f"s3://{self.lake_bucket}/{self._table_key(table)}/run={run_id}/"

    def _keys(self, prefix: str) -> List[Dict[str, Any]]:
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.lake_bucket, Prefix=prefix):
            out.extend(page.get("Contents", []))
        return out

    def list_parts(self, location: str) -> List[Dict[str, Any]]:
        bucket, prefix = split_s3(location)
        table_prefix = prefix.rsplit("/", 1)[0]
        parts = []
        for obj in self._keys(prefix + "/"):
            if not obj["Key"].endswith(".parquet"):
                continue
            digest = hashlib.sha256()
            for chunk in self.s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].iter_chunks(1 << 20):
                digest.update(chunk)
            parts.append({"file": obj["Key"][len(table_prefix) + 1:], "bytes": int(obj["Size"]),
                          "sha256": digest.hexdigest()})
        return sorted(parts, key=lambda p: p["file"])

    def publish(self, run_id: str, tables: List[WrittenTable], manifest: Dict[str, Any]) -> None:
        database = self.args["catalog_database"]
        for table in tables:
            table_input = catalog_table_input(table, run_id)
            try:
                self.glue.get_table(DatabaseName=database, Name=table.name)
                exists = True
            except Exception as err:
                if error_code(err) != "EntityNotFoundException":
                    raise JobError(f"The catalog table {database}.{table.name} could not be read: "
                                   f"{first_line(err)}") from err
                exists = False
            try:
                if exists:
                    self.glue.update_table(DatabaseName=database, TableInput=table_input)
                else:
                    self.glue.create_table(DatabaseName=database, TableInput=table_input)
            except Exception as err:
                raise JobError(f"The catalog table {database}.{table.name} could not be "
                               f"{'updated' if exists else 'created'}: {first_line(err)}") from err
        self.s3.put_object(Bucket=self.lake_bucket, Key=join_key(self.lake_prefix, "gold", "_manifest.json"),
                           Body=json.dumps(manifest, indent=2).encode("utf-8"), ContentType="application/json")

    def _run_prefixes(self, table: str) -> List[str]:
        prefix = self._table_key(table) + "/"
        found = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.lake_bucket, Prefix=prefix,
                                                                      Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"][len(prefix):].strip("/")
                if name.startswith("run="):
                    found.append(name[len("run="):])
        return sorted(found)

    def _delete_prefix(self, prefix: str) -> None:
        keys = [{"Key": o["Key"]} for o in self._keys(prefix)]
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.lake_bucket, Delete={"Objects": keys[i:i + 1000], "Quiet": True})

    def clean_up(self, run_id: str, tables: List[str]) -> None:
        for table in tables:
            runs = self._run_prefixes(table)
            # Run ids start with their UTC time, so the sort order is the run order. Kept: this run, the one
            # before it, and any later one (a run that started after this one is not this run's to remove).
            keep = set(sorted(r for r in runs if r <= run_id)[-KEEP_RUNS:]) | {run_id} | {r for r in runs if r > run_id}
            for old in runs:
                if old not in keep:
                    self._delete_prefix(f"{self._table_key(table)}/run={old}/")

    def discard(self, run_id: str, tables: List[str]) -> None:
        for table in tables:
            try:
                self._delete_prefix(f"{self._table_key(table)}/run={run_id}/")
            except Exception as err:  # nothing reads these files; a leftover only costs storage
                print(f"glue_job: warning: could not remove the failed run's files: {first_line(err)}")


def error_code(err: BaseException) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))


def catalog_table_input(table: WrittenTable, run_id: str) -> Dict[str, Any]:
    return {
        "Name": table.name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", "lifecycle_lab_run_id": run_id,
                       "lifecycle_lab_model": MODEL},
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": type_} for name, type_ in table.columns],
            "Location": table.location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    }


def main(argv: Sequence[str]) -> int:  # pragma: no cover - runs only inside AWS Glue
    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from pyspark.context import SparkContext

    args = parse_job_arguments(argv)
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    job = Job(glue_context)
    job.init(next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--JOB_NAME"), "de-c1w2-etl-job"), {})
    adapter = GlueAdapter(args, boto3.client("glue"), boto3.client("s3"), boto3.client("secretsmanager"))
    t0 = time.time()
    manifest = run_job(spark, adapter)
    print(f"published run {manifest['runId']} in {time.time() - t0:.1f} s")
    job.commit()
    return 0


if __name__ == "__main__":  # pragma: no cover
    try:
        sys.exit(main(sys.argv[1:]))
    except JobError as error:
        # Glue shows the exception's message as the run's ErrorMessage.
        print(f"glue_job: ERROR: {error}", file=sys.stderr)
        raise
