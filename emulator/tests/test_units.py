"""The emulator's parts that need no engine: Athena's shapes, the Glue runner's error message, the awsglue shim.
Fast (no Trino, no Spark): test/iac/emulator.test.ts runs this file in `npm test`."""
import os
import sys
import threading

import pytest
from conftest import ROOT
from emulator import athena, glue_runner, trino

sys.path.insert(0, os.path.join(ROOT, "emulator", "shim"))
from awsglue.utils import GlueArgumentError, getResolvedOptions  # noqa: E402


def test_error_message_is_the_last_line_of_the_last_traceback():
    stderr = ["WARN NativeCodeLoader: noise", "Traceback (most recent call last):", '  File "a.py", line 1',
              "KeyError: 'x'", "", "During handling of the above exception, another exception occurred:", "",
              "Traceback (most recent call last):", '  File "a.py", line 3, in <module>',
              "    raise JobError('bad')", "JobError: The Glue connection 'c' could not be read: denied",
              "26/12/07 INFO ShutdownHookManager: Shutdown hook called"]
    assert glue_runner.error_message(stderr, 1) == "JobError: The Glue connection 'c' could not be read: denied"
    assert glue_runner.error_message(["killed"], 137) == "Command failed with exit code 137"


def test_get_resolved_options_reads_named_arguments_and_names_the_missing():
    argv = ["script.py", "--JOB_NAME", "j", "--lake=s3://b/l", "--flag", "--other", "x"]
    assert getResolvedOptions(argv, ["JOB_NAME", "lake"]) == {"JOB_NAME": "j", "lake": "s3://b/l"}
    with pytest.raises(GlueArgumentError, match="--missing"):
        getResolvedOptions(argv, ["JOB_NAME", "missing"])


def test_values_and_column_info_in_athenas_terms():
    assert [athena.text_value(v) for v in (None, True, 3, "1.50", [1, None], {"a": 1})] == \
        [None, "true", "3", "1.50", "[1, null]", "{a=1}"]
    decimal = athena.column_info({"name": "total", "type": "decimal(38, 2)", "typeSignature": {
        "rawType": "decimal", "arguments": [{"kind": "LONG", "value": 38}, {"kind": "LONG", "value": 2}]}})
    assert (decimal["Type"], decimal["Precision"], decimal["Scale"]) == ("decimal", 38, 2)
    text = athena.column_info({"name": "c", "type": "varchar", "typeSignature": {
        "rawType": "varchar", "arguments": [{"kind": "LONG", "value": 2147483647}]}})
    assert (text["Type"], text["Precision"], text["CaseSensitive"]) == ("varchar", 2147483647, True)
    assert athena.trino_statement("  SELECT 1 ;\n") == "SELECT 1"
    assert [athena.statement_type(q) for q in ("select 1", " (SELECT 1)", "SHOW TABLES", "create table t (x int)")] \
        == ["DML", "DML", "UTILITY", "DDL"]


def finished(engine, rows, state="SUCCEEDED", statement="SELECT x FROM t"):
    execution = athena.QueryExecution(statement, {}, "primary", "s3://out/", None, None, {})
    execution.columns = [athena.column_info({"name": "x", "type": "integer"})]
    execution.rows = rows
    execution.state = state
    engine.executions[execution.id] = execution
    return execution


def test_results_are_paged_with_the_header_row_first():
    engine = athena.AthenaOnTrino(lambda: "", lambda: None)
    execution = finished(engine, [[str(i)] for i in range(5)])
    pages, token = [], None
    while True:
        page = engine.results(execution.id, 2, token)
        pages.append([r["Data"][0]["VarCharValue"] for r in page["ResultSet"]["Rows"]])
        token = page.get("NextToken")
        if not token:
            break
    assert pages == [["x", "0"], ["1", "2"], ["3", "4"]]
    assert page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"][0]["Name"] == "x"
    running = finished(engine, [], state="RUNNING")
    with pytest.raises(athena.AthenaError, match="not yet finished. Current state: RUNNING"):
        engine.results(running.id, None, None)


def test_without_trino_a_query_fails_saying_so():
    engine = athena.AthenaOnTrino(lambda: (_ for _ in ()).throw(RuntimeError("Trino did not start: no Java 24+")),
                                  lambda: None)
    workgroup = {"Configuration": {"ResultConfiguration": {"OutputLocation": "s3://out/"}}}
    execution_id = engine.start("SELECT 1", {"Database": "d"}, {}, "primary", workgroup, None)
    execution = engine.get(execution_id)
    done = threading.Event()
    for _ in range(100):
        if execution.state not in ("QUEUED", "RUNNING"):
            break
        done.wait(0.05)
    assert execution.state == "FAILED"
    message = execution.as_dict()["Status"]["AthenaError"]["ErrorMessage"]
    assert "Trino did not start: no Java 24+" in message
    assert "lifecycle-lab lab up --aws" in message


def test_a_trino_that_does_not_answer_fails_the_query_naming_lab_up_aws():
    url = f"http://127.0.0.1:{trino.free_port()}"  # nothing listens there
    engine = athena.AthenaOnTrino(lambda: url, lambda: None)
    workgroup = {"Configuration": {"ResultConfiguration": {"OutputLocation": "s3://out/"}}}
    execution = engine.get(engine.start("SELECT 1", {"Database": "d"}, {}, "primary", workgroup, None))
    done = threading.Event()
    for _ in range(200):
        if execution.state not in ("QUEUED", "RUNNING"):
            break
        done.wait(0.05)
    assert execution.state == "FAILED"
    message = execution.as_dict()["Status"]["AthenaError"]["ErrorMessage"]
    assert f"the emulator's Trino at {url} does not answer" in message
    assert "lifecycle-lab lab up --aws" in message


def test_an_output_location_is_required_and_an_enforcing_workgroup_wins():
    engine = athena.AthenaOnTrino(lambda: (_ for _ in ()).throw(RuntimeError("not in this test")), lambda: None)
    with pytest.raises(athena.AthenaError, match="No output location provided"):
        engine.start("SELECT 1", {}, {}, "primary", {"Configuration": {}}, None)
    enforcing = {"Configuration": {"EnforceWorkGroupConfiguration": True,
                                   "ResultConfiguration": {"OutputLocation": "s3://wg/"}}}
    execution_id = engine.start("SELECT 1", {}, {"OutputLocation": "s3://asked/"}, "lab", enforcing, None)
    location = engine.get(execution_id).as_dict()["ResultConfiguration"]["OutputLocation"]
    assert location == f"s3://wg/{execution_id}.csv"


def test_the_catalog_reads_glue_and_s3_on_the_emulator_path_style():
    props = dict(line.split("=", 1) for line in
                 trino.catalog_properties("http://127.0.0.1:5000", "us-east-1", "k", "s").splitlines() if line)
    assert props["hive.metastore"] == "glue"
    assert props["hive.metastore.glue.endpoint-url"] == props["s3.endpoint"] == "http://127.0.0.1:5000"
    assert props["s3.path-style-access"] == "true"
    # Bytes scanned as Athena bills them: only the columns read, also from small Parquet files (bench/emulated.md).
    assert props["parquet.small-file-threshold"] == "0B"


def test_a_suspended_buckets_versions_delete_when_a_key_has_a_delete_marker():
    """What Terraform Destroy does to the module's lake bucket: versioning suspended, then every version deleted."""
    import boto3
    from emulator import moto_gaps
    from moto import mock_aws

    moto_gaps.install()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lab-lake")
        s3.put_bucket_versioning(Bucket="lab-lake", VersioningConfiguration={"Status": "Enabled"})
        s3.put_object(Bucket="lab-lake", Key="gold/x", Body=b"1")
        s3.delete_object(Bucket="lab-lake", Key="gold/x")
        s3.put_bucket_versioning(Bucket="lab-lake", VersioningConfiguration={"Status": "Suspended"})
        listed = s3.list_object_versions(Bucket="lab-lake")
        for version in listed["Versions"] + listed["DeleteMarkers"]:
            s3.delete_object(Bucket="lab-lake", Key=version["Key"], VersionId=version["VersionId"])
        assert "Versions" not in s3.list_object_versions(Bucket="lab-lake")


# terraform/s3.tf's lifecycle rules as the AWS provider (5.x) puts them: its `filter {}` as an empty prefix.
MODULE_LIFECYCLE_RULES = [
    {"ID": "expire-old-versions-and-uploads", "Status": "Enabled", "Filter": {"Prefix": ""},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
     "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}},
    {"ID": "expire-athena-results", "Status": "Enabled", "Filter": {"Prefix": "athena-results/"},
     "Expiration": {"Days": 7}},
]


def _lifecycle_read_back(rules):
    import boto3
    from botocore.exceptions import ClientError
    from emulator import moto_gaps
    from moto import mock_aws

    moto_gaps.install()
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lab-lake")
        with pytest.raises(ClientError, match="NoSuchLifecycleConfiguration"):
            s3.get_bucket_lifecycle_configuration(Bucket="lab-lake")
        s3.put_bucket_lifecycle_configuration(Bucket="lab-lake", LifecycleConfiguration={"Rules": rules})
        return s3.get_bucket_lifecycle_configuration(Bucket="lab-lake")


def test_a_buckets_lifecycle_configuration_reads_back_as_put_with_its_transition_default():
    """What the AWS provider waits for after it puts the module's lifecycle configuration (getmoto/moto#9708): the
    same rules, and the transition default that AWS answers with."""
    answer = _lifecycle_read_back(MODULE_LIFECYCLE_RULES)
    assert answer["Rules"] == MODULE_LIFECYCLE_RULES
    assert answer["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"


def test_a_rule_put_with_an_empty_filter_reads_back_with_it():
    """A rule for every object written as an empty Filter, as an SDK writes `Filter: {}` (getmoto/moto#9729)."""
    rules = [{"ID": "every-object", "Status": "Enabled", "Filter": {},
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]
    assert _lifecycle_read_back(rules)["Rules"] == rules


def test_the_lifecycle_correction_refuses_a_moto_it_was_not_written_for(monkeypatch):
    import moto
    from emulator import moto_gaps

    monkeypatch.setattr(moto, "__version__", "5.1.22")
    refused = r"moto 5\.1\.11 .*moto 5\.1\.22 is installed: install moto\[server\]==5\.1\.11"
    with pytest.raises(RuntimeError, match=refused):
        moto_gaps.install()
