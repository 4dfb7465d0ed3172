"""The lab's ETL as an AWS Glue (Spark) job: the star-schema model of glue/sql over the classicmodels source.

Flow (the same as the local DuckDB engine in src/core/lake/pipeline.ts):
  1. read the job arguments and the model SQL files (every `*.sql` under the SQL prefix);
  2. read the source totals (row counts, exact SUM(quantityOrdered * priceEach)) and the model's source columns;
  3. run the model files in order (stg_*, dim_*, fact_*), registering each result as a view by its name;
  4. write each published table (dim_*, fact_*) as Parquet to a new run prefix, `<lake>/gold/<table>/run=<runId>/`;
  5. reconcile what was written against the source; any failed check fails the run, and nothing is published;
     then record the dashboard's answers over what was written (job_dashboard.py), when asked or at scale;
  6. publish: point each catalog table at its new prefix, write `gold/_manifest.json`, drop older runs (keep 2).

Everything that talks to Glue, S3 or the catalog sits behind an adapter (GlueAdapter in glue_adapter.py; LocalAdapter
in local_run.py), so the same `run_job` runs on Glue and on any Spark cluster. The declared data tests are in
job_data_tests.py, the reconciliation with the source in job_reconcile.py, the manifest's schema check in
job_manifest.py, the dashboard's recorded answers in job_dashboard.py, what they share in job_common.py: Glue puts
them on the job's Python path (terraform/glue.tf names them in --extra-py-files).
"""
from __future__ import annotations

import datetime
import re
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from job_common import MODEL, Adapter, JobError, WrittenTable, first_line, strip_trailing_semicolon
from job_dashboard import record_or_skip
from job_data_tests import plan_data_tests, run_data_tests, test_check
from job_manifest import refuse_invalid_manifest
from job_reconcile import reconcile

# The arguments the job reads (Glue passes `--<name> <value>`; Glue adds JOB_NAME itself).
# terraform/glue.tf passes exactly these; the Terraform test reads this tuple from this file.
JOB_ARGUMENTS = ("connection_name", "source_database", "lake_path", "catalog_database", "sql_prefix")
# A run may pass these too. record_dashboard: whether the run records the dashboard's answers in its manifest
# (job_dashboard.py; auto: on facts of recordMinFactRows rows or more).
OPTIONAL_JOB_ARGUMENTS = ("record_dashboard",)

# Run order of the model files by name prefix; stg_* results are internal, the others are published.
MODEL_GROUPS = ("stg_", "dim_", "fact_")
PUBLISHED_GROUPS = ("dim_", "fact_")
REQUIRED_TABLES = ("dim_customers", "dim_locations", "dim_products", "fact_orders")

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

# The lake's layout, chosen by measuring what Athena scans for the dashboard's cards (bench/lake_layout.py; the
# figures are in bench/emulated.md). Facts are sorted by date: the per-order columns (order number, dates, customer,
# location) come in runs and compress to little, and a date filter skips the pages outside its range. They are
# written in as few files as FILE_ROWS allows, not one per shuffle partition: in small files the reader fetches the
# columns a query skips along with those it reads (it merges nearby ranges), so more files cost more bytes scanned.
# The order number, sorted and repeated, costs less without a dictionary (run-length encoded) than with one. The
# product code keeps its dictionary: Parquet's writer keeps one only if the first page comes out smaller with it,
# and a first page of 20,000 rows (its default limit) holds nearly as many distinct codes as rows once there are
# many products; pages of up to 100,000 rows (a wide column's first page then ends at the page size, a narrow
# column's pages stay short enough for a date filter to skip most of them) and a dictionary page large enough for
# every code keep it.
WRITE_ORDER = {"fact_orders": ("orderDate", "orderNumber", "orderLineNumber")}
# Rows per file of a sorted table, and which source table's count gives its rows (one fact row per order line).
FILE_ROWS = 8_000_000
ROWS_FROM_SOURCE = {"fact_orders": "orderdetails"}
WRITE_OPTIONS = {"fact_orders": {"parquet.enable.dictionary#orderNumber": "false",
                                  "parquet.page.row.count.limit": str(100_000),
                                  "parquet.dictionary.page.size": str(8 << 20)}}


# ------------------------------------------------------------------------------------------------------------
# Arguments

_ARGUMENT_RULES: Dict[str, Tuple[str, str]] = {
    "connection_name": (r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,254}$", "a Glue connection name"),
    "source_database": (r"^[A-Za-z0-9_$]{1,64}$", "a MySQL database name (letters, digits, _ or $)"),
    "lake_path": (r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$", "an s3://bucket[/prefix] URL"),
    "catalog_database": (r"^[a-z0-9_]{1,255}$", "a Glue catalog database name (lower case, digits, _)"),
    "sql_prefix": (r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^\s]*)?$", "an s3://bucket[/prefix] URL"),
    "record_dashboard": (r"^(auto|always|never)$", "auto, always or never"),
}


def parse_job_arguments(argv: Sequence[str], names: Sequence[str] = JOB_ARGUMENTS,
                        rules: Optional[Dict[str, Tuple[str, str]]] = None,
                        optional: Sequence[str] = OPTIONAL_JOB_ARGUMENTS) -> Dict[str, str]:
    """Reads `--name value` (or `--name=value`) for each name, and each optional one given; a missing or malformed
    one fails naming it."""
    rules = _ARGUMENT_RULES if rules is None else rules
    found: Dict[str, str] = {}
    i = 0
    while i < len(argv):
        token = argv[i]
        if token.startswith("--"):
            key, eq, value = token[2:].partition("=")
            if key in names or key in optional:
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
    for name in [n for n in (*names, *optional) if n in found]:
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
# The job

def new_run_id(now: datetime.datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def iso(now: datetime.datetime) -> str:
    return now.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def laid_out(df, name: str, source_counts: Dict[str, int]):
    """The table as it is written: a sorted table range-partitioned into ceil(rows / FILE_ROWS) files (one file per
    partition, each sorted, the files in order), whatever the session's shuffle partitions; others as they are."""
    order = WRITE_ORDER.get(name)
    if not order:
        return df
    rows = source_counts.get(ROWS_FROM_SOURCE.get(name, ""), 0)
    files = max(1, -(-rows // FILE_ROWS))
    return df.repartitionByRange(files, *order).sortWithinPartitions(*order)


def write_table(df, name: str, location: str, source_counts: Dict[str, int]) -> None:
    """Writes a published table to its new run location (which must not exist yet) in its layout."""
    writer = laid_out(df, name, source_counts).write.mode("errorifexists").option("compression", "zstd")
    for key, value in WRITE_OPTIONS.get(name, {}).items():
        writer = writer.option(key, value)
    writer.parquet(location)


def run_job(spark, adapter: Adapter, log: Callable[[str], None] = print,
            clock: Callable[[], datetime.datetime] = lambda: datetime.datetime.now(datetime.timezone.utc),
            record_dashboard: str = "auto") -> Dict[str, Any]:
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
            try:
                write_table(frames[name], name, location, totals["counts"])
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

        fact_rows = next((t.rows for t in written if t.name == "fact_orders"), 0)
        dashboard = record_or_skip(spark, record_dashboard, fact_rows, lambda m: log(f"run {run_id}: {m}"))
        if dashboard is not None:
            log(f"run {run_id}: recorded the dashboard's answers")
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
            **({"dashboard": dashboard} if dashboard is not None else {}),
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


def main(argv: Sequence[str]) -> int:  # pragma: no cover - runs only inside AWS Glue
    import boto3
    from awsglue.context import GlueContext
    from awsglue.job import Job
    from pyspark.context import SparkContext

    from glue_adapter import GlueAdapter

    args = parse_job_arguments(argv)
    glue_context = GlueContext(SparkContext.getOrCreate())
    spark = glue_context.spark_session
    job = Job(glue_context)
    job.init(next((argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--JOB_NAME"), "de-c1w2-etl-job"), {})
    adapter = GlueAdapter(args, boto3.client("glue"), boto3.client("s3"), boto3.client("secretsmanager"))
    t0 = time.time()
    manifest = run_job(spark, adapter, record_dashboard=args.get("record_dashboard", "auto"))
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
