"""Unit tests of glue/glue_job.py: arguments, model order, reconciliation messages, declared data tests, and run_job
on local Spark (happy path and each failure publishing nothing). The Glue adapter's are in test_glue_adapter.py."""
import json
import os
import sys

import pytest
from fakes import ORDER_TOTAL, SOURCE_ROWS, MemoryAdapter, source_total

import glue_job
import job_data_tests
import job_reconcile
from job_common import JobError

SQL_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sql")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ARGS = {
    "connection_name": "de-c1w2-source-connection",
    "source_database": "classicmodels",
    "lake_path": "s3://lab-data-lake",
    "catalog_database": "de_c1w2_lake",
    "sql_prefix": "s3://lab-scripts/glue/sql",
}


def argv(**overrides):
    args = {**ARGS, **overrides}
    out = ["--JOB_NAME", "de-c1w2-etl-job", "--job-bookmark-option", "job-bookmark-disable"]
    for k, v in args.items():
        if v is not None:
            out += [f"--{k}", v]
    return out


def model_files():
    """The repository's model files and its declared data tests, named as the adapters name them."""
    files = {}
    names = [n for n in os.listdir(SQL_DIR) if n.endswith(".sql") or n == "schema.yml"]
    names += [f"tests/{n}" for n in os.listdir(os.path.join(SQL_DIR, "tests")) if n.endswith(".sql")]
    for name in sorted(names):
        with open(os.path.join(SQL_DIR, name), encoding="utf-8") as f:
            files[name] = f.read()
    return files


# ---------------------------------------------------------------------------------------------------- arguments

def test_arguments_are_read_by_name_among_glues_own():
    assert glue_job.parse_job_arguments(argv()) == ARGS


def test_argument_with_equals_sign():
    args = argv()
    i = args.index("--lake_path")
    args[i:i + 2] = ["--lake_path=s3://other-lake/prefix"]
    assert glue_job.parse_job_arguments(args)["lake_path"] == "s3://other-lake/prefix"


def test_missing_argument_is_named():
    with pytest.raises(JobError, match=r"Missing job argument: --catalog_database\."):
        glue_job.parse_job_arguments(argv(catalog_database=None))


def test_wrong_argument_is_named_with_what_it_must_be():
    with pytest.raises(JobError, match=r"--lake_path must be an s3://bucket\[/prefix\] URL; got '/tmp/lake'"):
        glue_job.parse_job_arguments(argv(lake_path="/tmp/lake"))


def test_argument_without_value_is_named():
    with pytest.raises(JobError, match=r"--sql_prefix has no value"):
        glue_job.parse_job_arguments(argv()[:-1])


# ---------------------------------------------------------------------------------------------------- the model

def test_model_order_is_stg_dim_fact_alphabetical():
    files = {f"{n}.sql": "select 1" for n in
             ["fact_orders", "dim_products", "stg_b", "dim_customers", "stg_a", "dim_locations"]}
    plan = glue_job.plan_models(files)
    assert [m.name for m in plan] == ["stg_a", "stg_b", "dim_customers", "dim_locations", "dim_products",
                                      "fact_orders"]
    assert [m.name for m in plan if m.published] == ["dim_customers", "dim_locations", "dim_products", "fact_orders"]


def test_the_repositorys_model_plans():
    plan = glue_job.plan_models(model_files())
    assert plan[-1].name == "fact_orders"
    assert {m.name for m in plan if m.published} == set(glue_job.REQUIRED_TABLES)


def test_trailing_semicolon_is_stripped():
    files = {f"{n}.sql": "select 1 ;\n" for n in glue_job.REQUIRED_TABLES}
    assert {m.sql for m in glue_job.plan_models(files)} == {"select 1"}


def test_unknown_model_prefix_names_the_file():
    files = {f"{n}.sql": "select 1" for n in glue_job.REQUIRED_TABLES}
    files["report_sales.sql"] = "select 1"
    with pytest.raises(JobError, match=r"report_sales\.sql has no known prefix"):
        glue_job.plan_models(files)


def test_missing_model_file_is_named():
    files = {f"{n}.sql": "select 1" for n in glue_job.REQUIRED_TABLES if n != "dim_products"}
    with pytest.raises(JobError, match=r"dim_products\.sql is missing"):
        glue_job.plan_models(files)


# ---------------------------------------------------------------------------------------------------- reconcile

def test_check_messages_match_the_local_engines():
    answers = iter(["5", "20287.90"])
    checks = job_reconcile.reconcile(lambda _sql: next(answers), lambda t: t,
                                {"counts": {"orderdetails": 5}, "orderAmountTotal": "20287.92"})
    # The source checks only: keys, orphans and duplicates are the declared data tests.
    assert [c["name"] for c in checks] == ["fact_rows_match_source", "order_amount_matches_source"]
    assert [c["ok"] for c in checks] == [True, False]
    assert checks[0]["message"] == "fact_orders rows = source orderdetails rows: 5"
    assert checks[1]["message"] == ("SUM(orderAmount) = source SUM(quantityOrdered × priceEach): "
                                    "expected 20287.92, got 20287.90")


# ---------------------------------------------------------------------------------------------------- data tests

MODELS = ["dim_customers", "dim_products", "fact_orders"]


def test_data_tests_compile_to_the_local_engines_sql():
    # The spec src/core/model/tests.ts meets too (test/unit/dataTests.test.ts): the same ids, severities and SQL text.
    with open(os.path.join(ROOT, "test", "fixtures", "data-tests", "compile.json"), encoding="utf-8") as f:
        spec = json.load(f)
    tests = job_data_tests.plan_data_tests(spec["files"], spec["models"])
    assert [[t["id"], t["kind"], t["severity"], t["sql"]] for t in tests] == spec["expected"]
    assert {t["model"] for t in tests} == {"fact_orders"}


def test_a_bad_declaration_is_named():
    with pytest.raises(JobError, match=r"fact_orders\.status test 1: unknown test 'uniq'"):
        job_data_tests.plan_data_tests({"schema.yml": "models:\n  - name: fact_orders\n    columns:\n"
                                                      "      - name: status\n        tests: [uniq]\n"}, MODELS)
    with pytest.raises(JobError, match=r"model fact_order: there is no fact_order\.sql"):
        job_data_tests.plan_data_tests({"schema.yml": "models:\n  - name: fact_order\n"}, MODELS)


def test_a_runtime_without_pyyaml_says_how_to_add_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "yaml", None)  # import yaml then raises ImportError
    with pytest.raises(JobError, match=r"no PyYAML to read it: give the job --additional-python-modules PyYAML"):
        job_data_tests.plan_data_tests({"schema.yml": "models: []"}, MODELS)


def test_cents_are_exact():
    assert job_reconcile.to_cents("9604190.61") == 960419061
    assert job_reconcile.to_cents("-3.5") == -350
    assert job_reconcile.to_cents("1.234") is None
    assert job_reconcile.format_cents(-5) == "-0.05"


# ---------------------------------------------------------------------------------------------------- run_job

def test_run_publishes_every_table_with_passing_checks(spark, tmp_path):
    adapter = MemoryAdapter(spark, str(tmp_path), model_files())
    manifest = glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert source_total() == ORDER_TOTAL
    assert [c["name"] for c in manifest["checks"] if not c["ok"]] == []
    assert manifest["source"]["orderAmountTotal"] == ORDER_TOTAL
    assert manifest["source"]["counts"] == {t: len(rows) for t, rows in SOURCE_ROWS.items()}
    assert {t: v["rows"] for t, v in manifest["tables"].items()} == {
        "dim_customers": 3, "dim_locations": 3, "dim_products": 3, "fact_orders": 5}
    assert set(manifest) == {"runId", "startedAt", "finishedAt", "model", "engine", "source", "tables", "checks",
                             "tests", "ok"}
    assert len(manifest["tests"]) >= 11 and [t["id"] for t in manifest["tests"] if t["status"] != "pass"] == []
    assert manifest["engine"] == {"name": "spark", "version": spark.version} and manifest["model"] == "star-v1"
    assert all(v["files"] >= 1 and v["bytes"] > 0 for v in manifest["tables"].values())
    assert [p[1] for p in adapter.published] == [["dim_customers", "dim_locations", "dim_products", "fact_orders"]]
    assert adapter.cleaned == [manifest["runId"]] and adapter.discarded == []
    # Only the model's columns were read from the source.
    assert any("`customerNumber`, `customerName`" in q and "`customers`" in q for q in adapter.queries)


def parquet_footers(spark, location):
    """Each Parquet file under location, in name order: its row groups, each {column: (encodings, min, max)}."""
    jvm = spark._jvm
    conf = spark._jsc.hadoopConfiguration()
    files = []
    for name in sorted(n for n in os.listdir(location) if n.endswith(".parquet")):
        footer = jvm.org.apache.parquet.hadoop.ParquetFileReader.readFooter(
            conf, jvm.org.apache.hadoop.fs.Path(os.path.join(location, name)))
        files.append([{c.getPath().toDotString(): ({str(e) for e in c.getEncodings()},
                                                    c.getStatistics().genericGetMin(),
                                                    c.getStatistics().genericGetMax())
                       for c in block.getColumns()} for block in footer.getBlocks()])
    return files


def run_with_shuffle_partitions(spark, adapter, partitions):
    spark.conf.set("spark.sql.shuffle.partitions", str(partitions))
    try:
        return glue_job.run_job(spark, adapter, log=lambda _m: None)
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", "1")


def test_the_facts_are_written_sorted_by_date_in_one_file_whatever_the_shuffle_partitions(spark, tmp_path):
    # The layout bench/lake_layout.py chose (bench/emulated.md): one file sorted by date and order, not one per
    # shuffle partition (Spark's orderBy alone writes one per range partition), the order number without a dictionary.
    adapter = MemoryAdapter(spark, str(tmp_path), model_files())
    manifest = run_with_shuffle_partitions(spark, adapter, 4)
    fact = manifest["tables"]["fact_orders"]
    assert fact["files"] == 1 and fact["rows"] == 5
    [row_groups] = parquet_footers(spark, fact["location"])
    encodings = {c: e for c, (e, _, _) in row_groups[0].items()}
    assert not encodings["orderNumber"] & {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}
    assert encodings["productCode"] & {"PLAIN_DICTIONARY", "RLE_DICTIONARY"}  # the others keep theirs
    rows = [tuple(r) for r in spark.read.parquet(fact["location"]).select(
        "orderDate", "orderNumber", "orderLineNumber").collect()]
    assert rows == sorted(rows) and len(rows) == 5


def test_many_product_codes_keep_their_dictionary(spark, tmp_path):
    # Parquet's writer keeps a column's dictionary only if the first page is smaller with it. In a first page of
    # 20,000 rows (its default) nearly every code drawn from 110,000 (scale 1000's products) is distinct, and the
    # column came out plain, twice its dictionary size; a first page bounded by bytes alone keeps the dictionary.
    df = spark.sql("select date_add(date'2003-01-01', cast(id div 3000 as int)) as orderDate, "
                   "cast(id div 9 as int) as orderNumber, cast(id % 9 + 1 as smallint) as orderLineNumber, "
                   "concat('S18_', cast(pmod(hash(id), 110000) + 10000 as string)) as productCode from range(200000)")
    location = str(tmp_path / "fact_orders")
    glue_job.write_table(df, "fact_orders", location, {"orderdetails": 200000})
    [row_groups] = parquet_footers(spark, location)
    encodings = set().union(*(groups["productCode"][0] for groups in row_groups))
    assert "PLAIN_DICTIONARY" in encodings and "PLAIN" not in encodings
    assert spark.read.parquet(location).count() == 200000


def test_a_fact_table_above_file_rows_is_split_into_files_in_date_order(spark, tmp_path, monkeypatch):
    monkeypatch.setattr(glue_job, "FILE_ROWS", 2)
    adapter = MemoryAdapter(spark, str(tmp_path), model_files())
    manifest = run_with_shuffle_partitions(spark, adapter, 1)
    fact = manifest["tables"]["fact_orders"]
    assert fact["files"] == 3  # ceil(5 / 2), whatever the session's shuffle partitions
    # Each file's dates are a range after the previous file's: a date filter skips whole files by their statistics.
    ranges = [(groups[0]["orderDate"][1], groups[-1]["orderDate"][2])
              for groups in parquet_footers(spark, fact["location"])]
    assert all(lo <= hi for lo, hi in ranges)
    assert all(ranges[i][1] <= ranges[i + 1][0] for i in range(len(ranges) - 1))
    assert [c["name"] for c in manifest["checks"] if not c["ok"]] == []


def test_reconciliation_failure_names_the_check_and_publishes_nothing(spark, tmp_path):
    files = model_files()
    files["fact_orders.sql"] = f"select * from ({glue_job.strip_trailing_semicolon(files['fact_orders.sql'])}) " \
                               "where orderNumber <> 10101"
    adapter = MemoryAdapter(spark, str(tmp_path), files)
    with pytest.raises(JobError) as err:
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert "fact_rows_match_source (fact_orders rows = source orderdetails rows: expected 5, got 4)" in str(err.value)
    assert "order_amount_matches_source" in str(err.value)
    assert adapter.published == [] and len(adapter.discarded) == 1


def test_an_error_data_test_fails_the_run_naming_the_rows_and_a_warn_one_is_recorded(spark, tmp_path):
    files = model_files()
    files["fact_orders.sql"] = f"select * from ({glue_job.strip_trailing_semicolon(files['fact_orders.sql'])}) " \
                               "where orderNumber <> 10101"
    files["schema.yml"] += "  - name: dim_customers\n    columns:\n      - name: customerName\n" \
                           "        tests: [{accepted_values: {values: [Nobody], config: {severity: warn}}}]\n"
    # a singular test every fact row fails
    files["tests/every_line.sql"] = "select orderNumber, orderLineNumber from fact_orders"
    adapter = MemoryAdapter(spark, str(tmp_path), files)
    with pytest.raises(JobError) as err:
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert "every_line (4 failing rows in fact_orders: (orderNumber=" in str(err.value)
    assert "accepted_values_dim_customers_customerName" not in str(err.value)
    assert adapter.published == []


def test_a_warn_data_test_is_recorded_and_the_run_publishes(spark, tmp_path):
    files = model_files()
    files["schema.yml"] += "  - name: dim_customers\n    columns:\n      - name: customerName\n" \
                           "        tests: [{accepted_values: {values: [Nobody], config: {severity: warn}}}]\n"
    adapter = MemoryAdapter(spark, str(tmp_path), files)
    manifest = glue_job.run_job(spark, adapter, log=lambda _m: None)
    warned = [t for t in manifest["tests"] if t["status"] == "warn"]
    assert [(t["id"], t["failingRows"], len(t["sample"])) for t in warned] == [
        ("accepted_values_dim_customers_customerName", 3, 3)]
    check = next(c for c in manifest["checks"] if c["name"] == "accepted_values_dim_customers_customerName")
    assert check["ok"] and check["warning"]
    assert check["message"].startswith("3 failing rows in dim_customers.customerName (severity warn): (")
    assert json.loads(json.dumps(manifest))["tests"] == manifest["tests"]  # JSON-safe samples


def test_failing_model_sql_names_the_file_and_publishes_nothing(spark, tmp_path):
    files = model_files()
    files["dim_products.sql"] = "select productCode::varchar from products"  # DuckDB-only syntax
    adapter = MemoryAdapter(spark, str(tmp_path), files)
    with pytest.raises(JobError, match=r"The model file dim_products\.sql failed on Spark SQL"):
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert adapter.published == []


def test_unreachable_source_is_named_and_publishes_nothing(spark, tmp_path):
    adapter = MemoryAdapter(spark, str(tmp_path), model_files(),
                            source_error=RuntimeError("Communications link failure\n  at com.mysql..."))
    with pytest.raises(JobError, match=r"The source db\.test:3306/classicmodels could not be read: "
                                       r"Communications link failure$"):
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert adapter.published == [] and not os.listdir(tmp_path)


def test_missing_sql_file_fails_before_the_source_is_read(spark, tmp_path):
    files = {k: v for k, v in model_files().items() if k != "dim_locations.sql"}
    adapter = MemoryAdapter(spark, str(tmp_path), files)
    with pytest.raises(JobError, match=r"dim_locations\.sql is missing"):
        glue_job.run_job(spark, adapter, log=lambda _m: None)
    assert adapter.queries == [] and adapter.published == []
