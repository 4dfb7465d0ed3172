"""The lab's own chain on the emulator: glue/glue_job.py (the real GlueAdapter: Glue connection, its secret, S3, the
catalog) run by StartJobRun over the local MariaDB lab, then Athena on Trino over the tables it published. Needs the
local lab running (`npm run lab -- up`); skips without it, except in CI.
"""
import glob
import json
import os
import subprocess

import pytest
from conftest import ROOT, wait_for

SCRIPTS = "lab-scripts"
LAKE = "lab-lake"
RESULTS = "lab-athena-results"
CATALOG_DB = "lab_gold"
JOB = "de-c1w2-etl-job"


def lab_source():
    status = subprocess.run(["node", os.path.join(ROOT, "bin", "lifecycle-lab.js"), "lab", "status", "--json"],  # noqa: S603, S607
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    line = next((x for x in reversed(status.stdout.splitlines()) if x.startswith("{")), "{}")
    lab = json.loads(line)
    if not lab.get("running"):
        return None
    with open(os.path.join(lab["labDir"], "credentials.json"), encoding="utf-8") as f:
        creds = json.load(f)
    return {"host": lab["host"], "port": lab["port"], "database": lab["database"], **creds}


def source_scalar(src, sql):
    out = subprocess.run(["mariadb", "-h", src["host"], "-P", str(src["port"]), "-u", src["user"],  # noqa: S603, S607
                          "-N", "-B", "-D", src["database"], "-e", sql],
                         capture_output=True, text=True, timeout=60, check=True,
                         env=dict(os.environ, MYSQL_PWD=src["password"]))
    return out.stdout.strip()


@pytest.fixture(scope="module")
def lab_run(emulator):
    src = lab_source()
    if src is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the local lab is not running (npm run lab -- up)")
        pytest.skip("the local lab is not running (npm run lab -- up)")
    s3, glue = emulator.client("s3"), emulator.client("glue")
    for bucket in (SCRIPTS, LAKE, RESULTS):
        s3.create_bucket(Bucket=bucket)
    s3.upload_file(os.path.join(ROOT, "glue", "glue_job.py"), SCRIPTS, "glue_job.py")
    # As terraform/ ships them: the manifest's schema, which --extra-files puts in the run's working directory, and the
    # job's modules, which --extra-py-files puts on its Python path.
    s3.upload_file(os.path.join(ROOT, "glue", "manifest.schema.json"), SCRIPTS, "manifest.schema.json")
    modules = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "glue", "*.py"))
                     if os.path.basename(p) not in ("glue_job.py", "local_run.py"))
    for module in modules:
        s3.upload_file(os.path.join(ROOT, "glue", module), SCRIPTS, module)
    for path in glob.glob(os.path.join(ROOT, "glue", "sql", "*.sql")):
        s3.upload_file(path, SCRIPTS, f"sql/{os.path.basename(path)}")
    glue.create_database(DatabaseInput={"Name": CATALOG_DB})
    # The password reaches the job as the module passes it: a Secrets Manager secret named by the connection.
    secret = emulator.client("secretsmanager").create_secret(
        Name="lab-source", SecretString=json.dumps({"username": src["user"], "password": src["password"]}))["ARN"]
    glue.create_connection(ConnectionInput={"Name": "lab-mysql", "ConnectionType": "JDBC", "ConnectionProperties": {
        "JDBC_CONNECTION_URL": f"jdbc:mysql://{src['host']}:{src['port']}/{src['database']}", "SECRET_ID": secret}})
    glue.create_job(Name=JOB, Role="arn:aws:iam::123456789012:role/glue", GlueVersion="4.0",
                    Command={"Name": "glueetl", "ScriptLocation": f"s3://{SCRIPTS}/glue_job.py"},
                    Connections={"Connections": ["lab-mysql"]}, WorkerType="G.1X", NumberOfWorkers=2,
                    DefaultArguments={"--connection_name": "lab-mysql", "--source_database": src["database"],
                                      "--lake_path": f"s3://{LAKE}/lake", "--catalog_database": CATALOG_DB,
                                      "--sql_prefix": f"s3://{SCRIPTS}/sql",
                                      "--extra-files": f"s3://{SCRIPTS}/manifest.schema.json",
                                      "--extra-py-files": ",".join(f"s3://{SCRIPTS}/{m}" for m in modules)})
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    wait_for(lambda: glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]["JobRunState"],
             ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"), timeout=900, interval=1)
    return src, glue.get_job_run(JobName=JOB, RunId=run_id)["JobRun"]


def test_the_glue_job_publishes_the_lake_and_athena_reconciles_it_with_the_source(emulator, lab_run):
    src, run = lab_run
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    glue, s3 = emulator.client("glue"), emulator.client("s3")
    tables = sorted(t["Name"] for t in glue.get_tables(DatabaseName=CATALOG_DB)["TableList"])
    assert tables == ["dim_customers", "dim_locations", "dim_products", "fact_orders"]
    manifest = json.loads(s3.get_object(Bucket=LAKE, Key="lake/gold/_manifest.json")["Body"].read())
    assert manifest["runId"]

    athena = emulator.client("athena")
    athena.create_work_group(Name="lab-chain", Configuration={
        "ResultConfiguration": {"OutputLocation": f"s3://{RESULTS}/"}})
    qid = athena.start_query_execution(
        QueryString="SELECT count(*), sum(orderAmount) FROM fact_orders", WorkGroup="lab-chain",
        QueryExecutionContext={"Database": CATALOG_DB, "Catalog": "AwsDataCatalog"})["QueryExecutionId"]
    wait_for(lambda: athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]["State"],
             ("SUCCEEDED", "FAILED", "CANCELLED"), timeout=180, interval=0.3)
    execution = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
    assert execution["Status"]["State"] == "SUCCEEDED", execution["Status"]
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    count, total = (d["VarCharValue"] for d in rows[1]["Data"])
    expected_count, expected_total = source_scalar(
        src, "SELECT COUNT(*), SUM(quantityOrdered * priceEach) FROM orderdetails").split("\t")
    assert (int(count), total) == (int(expected_count), expected_total)
    assert execution["Statistics"]["DataScannedInBytes"] > 0
