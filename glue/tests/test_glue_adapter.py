"""Unit tests of glue/glue_adapter.py: the Glue adapter against recording fakes of the Glue, S3 and Secrets Manager
clients (the source's connection and secret, the model files under the SQL prefix, run locations, parts, publishing to
the catalog, cleaning up and discarding runs)."""
import json

import pytest
from fakes import ClientError, FakeGlue, FakeS3, FakeSecrets
from test_glue_job import ARGS

from glue_adapter import GlueAdapter
from job_common import JobError, WrittenTable


def glue_adapter(connection=None, secrets=None, s3=None, glue_tables=None):
    props = connection if connection is not None else {
        "JDBC_CONNECTION_URL": "jdbc:mysql://de-c1w2-rds.abc.us-east-1.rds.amazonaws.com:3306/classicmodels",
        "USERNAME": "admin", "PASSWORD": "pw-from-connection"}
    glue = FakeGlue({ARGS["connection_name"]: props}, glue_tables)
    return GlueAdapter(ARGS, glue, s3 or FakeS3(), FakeSecrets(secrets or {})), glue


def test_source_is_read_through_the_connection_properties():
    adapter, glue = glue_adapter()
    info = adapter.source_info()
    assert (info.host, info.port, info.database) == ("de-c1w2-rds.abc.us-east-1.rds.amazonaws.com", 3306,
                                                     "classicmodels")
    assert glue.calls == [("get_connection", {"Name": ARGS["connection_name"], "HidePassword": False})]
    conn = adapter._connection()
    assert conn["url"] == "jdbc:mysql://de-c1w2-rds.abc.us-east-1.rds.amazonaws.com:3306/classicmodels"
    assert (conn["user"], conn["password"]) == ("admin", "pw-from-connection")


def test_source_database_argument_wins_over_the_urls():
    adapter, _ = glue_adapter({"JDBC_CONNECTION_URL": "jdbc:mysql://h:3307/other", "USERNAME": "u", "PASSWORD": "p"})
    assert adapter._connection()["url"] == "jdbc:mysql://h:3307/classicmodels"


def test_connection_with_a_secret_reads_the_secret():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
    adapter, _ = glue_adapter({"JDBC_CONNECTION_URL": "jdbc:mysql://h:3306/classicmodels", "SECRET_ID": arn},
                              secrets={arn: json.dumps({"username": "admin", "password": "pw-from-secret"})})
    conn = adapter._connection()
    assert (conn["user"], conn["password"]) == ("admin", "pw-from-secret")
    assert adapter.secrets.calls == [("get_secret_value", {"SecretId": arn})]


def test_missing_connection_is_named():
    adapter = GlueAdapter({**ARGS, "connection_name": "nope"}, FakeGlue({}), FakeS3(), FakeSecrets({}))
    with pytest.raises(JobError, match=r"Glue connection 'nope' could not be read: .*EntityNotFoundException"):
        adapter.source_info()


def test_unreadable_secret_is_named():
    adapter, _ = glue_adapter({"JDBC_CONNECTION_URL": "jdbc:mysql://h:3306/x", "SECRET_ID": "missing"})
    with pytest.raises(JobError, match=r"secret of the Glue connection .* could not be read"):
        adapter.source_info()


def test_model_files_come_from_the_sql_prefix_only():
    s3 = FakeS3({("lab-scripts", "glue/sql/dim_a.sql"): b"select 1", ("lab-scripts", "glue/sql/fact_b.sql"): b"x",
                 ("lab-scripts", "glue/sql/README.md"): b"no", ("lab-scripts", "glue/sql/old/dim_c.sql"): b"no",
                 ("lab-scripts", "glue/glue_job.py"): b"no", ("lab-scripts", "glue/sqlx/dim_d.sql"): b"no"})
    adapter, _ = glue_adapter(s3=s3)
    assert adapter.sql_files() == {"dim_a.sql": "select 1", "fact_b.sql": "x"}


def test_run_location_is_a_new_prefix_per_run():
    adapter, _ = glue_adapter()
    assert adapter.run_location("fact_orders", "R1") == "s3://lab-data-lake/gold/fact_orders/run=R1/"
    other = GlueAdapter({**ARGS, "lake_path": "s3://lake/some/prefix/"}, FakeGlue(), FakeS3(), None)
    assert other.run_location("dim_products", "R2") == "s3://lake/some/prefix/gold/dim_products/run=R2/"


def test_parts_are_listed_with_size_and_hash():
    s3 = FakeS3({("lab-data-lake", "gold/t/run=R1/part-0.parquet"): b"abc",
                 ("lab-data-lake", "gold/t/run=R1/_SUCCESS"): b"",
                 ("lab-data-lake", "gold/t/run=R10/part-0.parquet"): b"not this run"})
    adapter, _ = glue_adapter(s3=s3)
    assert adapter.list_parts("s3://lab-data-lake/gold/t/run=R1/") == [
        {"file": "run=R1/part-0.parquet", "bytes": 3,
         "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]


def written(name, run_id="R2"):
    return WrittenTable(name, f"s3://lab-data-lake/gold/{name}/run={run_id}/", 3,
                        [("id", "int"), ("amount", "decimal(18,2)"), ("day", "date")])


def test_publish_creates_missing_tables_updates_existing_then_writes_the_manifest():
    existing = {("de_c1w2_lake", "dim_customers"): {"Name": "dim_customers"}}
    s3 = FakeS3()
    adapter, glue = glue_adapter(s3=s3, glue_tables=existing)
    adapter.publish("R2", [written("dim_customers"), written("fact_orders")], {"runId": "R2"})
    assert [c[0] for c in glue.calls if c[0] != "get_connection"] == ["get_table", "update_table", "get_table",
                                                                       "create_table"]
    created = glue.tables[("de_c1w2_lake", "fact_orders")]
    assert created["StorageDescriptor"]["Location"] == "s3://lab-data-lake/gold/fact_orders/run=R2/"
    assert created["StorageDescriptor"]["Columns"] == [{"Name": "id", "Type": "int"},
                                                       {"Name": "amount", "Type": "decimal(18,2)"},
                                                       {"Name": "day", "Type": "date"}]
    assert created["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"].endswith("ParquetHiveSerDe")
    assert created["TableType"] == "EXTERNAL_TABLE" and created["Parameters"]["classification"] == "parquet"
    # The manifest comes after every catalog table points at the new run.
    assert s3.calls == [("put_object", {"Bucket": "lab-data-lake", "Key": "gold/_manifest.json"})]
    assert json.loads(s3.objects[("lab-data-lake", "gold/_manifest.json")]) == {"runId": "R2"}


def test_catalog_failure_is_named():
    class BrokenGlue(FakeGlue):
        def create_table(self, DatabaseName, TableInput):
            raise ClientError("AccessDeniedException", "not allowed")

    adapter = GlueAdapter(ARGS, BrokenGlue({}), FakeS3(), None)
    with pytest.raises(JobError, match=r"de_c1w2_lake\.fact_orders could not be created: .*AccessDenied"):
        adapter.publish("R2", [written("fact_orders")], {})


def lake_with_runs(*run_ids):
    objects = {}
    for table in ("dim_customers", "fact_orders"):
        for run_id in run_ids:
            objects[("lab-data-lake", f"gold/{table}/run={run_id}/part-0.parquet")] = b"p"
    objects[("lab-data-lake", "gold/_manifest.json")] = b"{}"
    return FakeS3(objects)


def test_clean_up_keeps_the_last_two_runs():
    runs = ["20260101T000000Z-aaaaaa", "20260102T000000Z-bbbbbb", "20260103T000000Z-cccccc",
            "20260104T000000Z-dddddd"]
    s3 = lake_with_runs(*runs)
    adapter, _ = glue_adapter(s3=s3)
    adapter.clean_up(runs[3], ["dim_customers", "fact_orders"])
    left = sorted(k for _, k in s3.objects)
    assert left == ["gold/_manifest.json"] + [f"gold/{t}/run={r}/part-0.parquet"
                                              for t in ("dim_customers", "fact_orders") for r in runs[2:]]


def test_clean_up_never_removes_a_later_run():
    runs = ["20260101T000000Z-aaaaaa", "20260102T000000Z-bbbbbb", "20260103T000000Z-cccccc"]
    s3 = lake_with_runs(*runs)
    adapter, _ = glue_adapter(s3=s3)
    adapter.clean_up(runs[1], ["fact_orders"])
    left = sorted(k for _, k in s3.objects if k.startswith("gold/fact_orders/"))
    assert left == [f"gold/fact_orders/run={r}/part-0.parquet" for r in runs]


def test_discard_removes_only_the_failed_run():
    s3 = lake_with_runs("R1", "R2")
    adapter, _ = glue_adapter(s3=s3)
    adapter.discard("R2", ["dim_customers", "fact_orders"])
    assert sorted(k for _, k in s3.objects) == ["gold/_manifest.json", "gold/dim_customers/run=R1/part-0.parquet",
                                                "gold/fact_orders/run=R1/part-0.parquet"]



def test_model_files_and_data_tests_come_from_the_sql_prefix():
    s3 = FakeS3({("lab-scripts", "glue/sql/dim_a.sql"): b"select 1",
                 ("lab-scripts", "glue/sql/schema.yml"): b"models: []",
                 ("lab-scripts", "glue/sql/tests/t1.sql"): b"select 2",
                 ("lab-scripts", "glue/sql/tests/deep/t2.sql"): b"no",
                 ("lab-scripts", "glue/sql/tests/notes.md"): b"no"})
    adapter, _ = glue_adapter(s3=s3)
    assert adapter.sql_files() == {"dim_a.sql": "select 1", "schema.yml": "models: []", "tests/t1.sql": "select 2"}
