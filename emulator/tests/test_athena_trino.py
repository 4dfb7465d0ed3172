"""Athena on the emulator answers from Trino over the lake a Glue run wrote (Parquet in S3, table in the catalog)."""
import time
from decimal import Decimal

import botocore.exceptions
import pytest
import requests
from botocore.config import Config
from conftest import DATABASE, RESULTS_BUCKET, SALES, TABLE, wait_for

FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
# Trino's 1e9-row cross join: long enough to be stopped while it runs.
SLOW_SQL = "SELECT count(*) FROM UNNEST(sequence(1, 40000)) a(x) CROSS JOIN UNNEST(sequence(1, 40000)) b(y)"


@pytest.fixture(scope="module")
def athena(emulator, lake_run):
    assert lake_run[1][-1] == "SUCCEEDED", f"the Glue run that writes the lake did not succeed: {lake_run}"
    client = emulator.client("athena")
    client.create_work_group(Name="lab", Configuration={
        "ResultConfiguration": {"OutputLocation": f"s3://{RESULTS_BUCKET}/athena/"},
        "EnforceWorkGroupConfiguration": True})
    # Athena's smallest cutoff is 10 MB, the lake a few KB: this workgroup is made past boto3's check of that.
    unchecked = emulator.client("athena", Config(parameter_validation=False))
    unchecked.create_work_group(Name="tight", Configuration={
        "ResultConfiguration": {"OutputLocation": f"s3://{RESULTS_BUCKET}/tight/"},
        "BytesScannedCutoffPerQuery": 64})
    emulator.trino()  # queries queue until Trino is up; waiting here keeps each test's own waits short
    return client


def run(athena, sql, workgroup="lab", parameters=None, timeout=120):
    kwargs = {"ExecutionParameters": parameters} if parameters else {}
    qid = athena.start_query_execution(QueryString=sql, WorkGroup=workgroup,
                                       QueryExecutionContext={"Database": DATABASE, "Catalog": "AwsDataCatalog"},
                                       **kwargs)["QueryExecutionId"]
    states = wait_for(lambda: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"],
                      FINAL, timeout=timeout, interval=0.2)
    return qid, states, athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]


def all_rows(athena, qid, page_size=1000):
    rows, info, token, pages = [], None, None, 0
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = athena.get_query_results(QueryExecutionId=qid, MaxResults=page_size, **kwargs)
        info = info or page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
        rows += [[d.get("VarCharValue") for d in r["Data"]] for r in page["ResultSet"]["Rows"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            return rows, info, pages


def test_a_parameterised_query_returns_the_lake_rows(emulator, athena):
    minimum, excluded = Decimal("1.00"), "Japan"
    qid, states, execution = run(
        athena, f"SELECT country, sum(amount) AS total, count(*) AS n FROM {TABLE} "
                "WHERE amount > ? AND country <> ? GROUP BY country ORDER BY country",
        parameters=[str(minimum), f"'{excluded}'"])
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    assert states[0] in ("QUEUED", "RUNNING")
    expected = {}
    for _, country, amount in SALES:
        if country is not None and amount > minimum and country != excluded:
            total, n = expected.get(country, (Decimal(0), 0))
            expected[country] = (total + amount, n + 1)
    rows, info, _ = all_rows(athena, qid)
    assert rows[0] == ["country", "total", "n"]  # Athena's header row
    assert rows[1:] == [[c, f"{t:.2f}", str(n)] for c, (t, n) in sorted(expected.items())]
    assert [(c["Name"], c["Type"]) for c in info] == [("country", "varchar"), ("total", "decimal"), ("n", "bigint")]
    assert info[1]["Scale"] == 2
    stats = execution["Statistics"]
    assert stats["DataScannedInBytes"] > 0
    assert stats["EngineExecutionTimeInMillis"] > 0
    assert execution["ExecutionParameters"] == [str(minimum), f"'{excluded}'"]
    # The results are also in the workgroup's output location, as CSV.
    location = execution["ResultConfiguration"]["OutputLocation"]
    assert location == f"s3://{RESULTS_BUCKET}/athena/{qid}.csv"
    csv_text = emulator.client("s3").get_object(Bucket=RESULTS_BUCKET, Key=f"athena/{qid}.csv")["Body"].read()
    assert csv_text.decode().splitlines() == [",".join(f'"{v}"' for v in row) for row in rows]


def test_results_come_in_pages_and_nulls_have_no_value(athena):
    qid, _, execution = run(athena, f"SELECT id, country FROM {TABLE} ORDER BY id;")  # Athena takes the ";"
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    rows, _, pages = all_rows(athena, qid, page_size=2)
    assert pages == (len(SALES) + 1 + 1) // 2  # the header row counts in the first page
    assert rows[1:] == [[str(i), c] for i, c, _ in SALES]


def test_a_failing_query_is_failed_with_trinos_message(athena):
    qid, _, execution = run(athena, f"SELECT no_such_column FROM {TABLE}")
    status = execution["Status"]
    assert status["State"] == "FAILED"
    assert status["StateChangeReason"].startswith("COLUMN_NOT_FOUND: ")
    assert "no_such_column" in status["AthenaError"]["ErrorMessage"]
    assert status["AthenaError"]["ErrorCategory"] == 2
    with pytest.raises(botocore.exceptions.ClientError, match="FAILED"):
        athena.get_query_results(QueryExecutionId=qid)


def test_the_workgroups_bytes_scanned_cutoff_fails_the_query(athena):
    _, _, execution = run(athena, f"SELECT sum(amount) FROM {TABLE}", workgroup="tight")
    assert execution["Status"]["State"] == "FAILED", execution["Status"]
    assert execution["Status"]["StateChangeReason"] == "Bytes scanned limit was exceeded"
    # The same query in a workgroup without a cutoff succeeds.
    _, _, free = run(athena, f"SELECT sum(amount) FROM {TABLE}")
    assert free["Status"]["State"] == "SUCCEEDED"
    assert free["Statistics"]["DataScannedInBytes"] > 64


def test_stop_query_execution_cancels_the_trino_query(emulator, athena):
    qid = athena.start_query_execution(QueryString=SLOW_SQL, WorkGroup="lab")["QueryExecutionId"]
    wait_for(lambda: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"],
             ("RUNNING",) + FINAL, timeout=60, interval=0.1)
    athena.stop_query_execution(QueryExecutionId=qid)
    assert athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"] == "CANCELLED"
    deadline = time.time() + 30
    while time.time() < deadline:
        queries = requests.get(f"{emulator.trino()}/v1/query", headers={"X-Trino-User": "athena"}, timeout=10).json()
        running = [q for q in queries if "sequence(1, 40000)" in q.get("query", "") and q["state"] == "RUNNING"]
        if not running:
            break
        time.sleep(0.5)
    assert not running, "the Trino query still runs after StopQueryExecution"
    assert [q["state"] for q in queries if "sequence(1, 40000)" in q.get("query", "")] == ["FAILED"]


def test_create_table_as_writes_parquet_that_a_query_then_reads(emulator, athena):
    location = f"s3://{RESULTS_BUCKET}/ctas/big_sales/"
    _, _, created = run(athena, f"CREATE TABLE big_sales WITH (format = 'PARQUET', external_location = '{location}') "
                                f"AS SELECT id, amount FROM {TABLE} WHERE amount > 5")
    assert created["Status"]["State"] == "SUCCEEDED", created["Status"]
    assert emulator.client("glue").get_table(DatabaseName=DATABASE, Name="big_sales")["Table"]["StorageDescriptor"][
        "Location"].rstrip("/") == location.rstrip("/")
    qid, _, counted = run(athena, "SELECT count(*) FROM big_sales")
    assert counted["Status"]["State"] == "SUCCEEDED", counted["Status"]
    rows, _, _ = all_rows(athena, qid)
    assert rows[1] == [str(sum(1 for _, _, amount in SALES if amount > 5))]


def test_an_unknown_execution_id_is_an_invalid_request(athena):
    with pytest.raises(botocore.exceptions.ClientError, match="was not found"):
        athena.get_query_execution(QueryExecutionId="00000000-0000-0000-0000-000000000000")
