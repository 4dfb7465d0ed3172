"""One emulator (`python3 -m emulator`, with its local Trino) for the whole test session, and a small lake that a
Glue job run on it writes: Parquet in the emulator's S3 and a table in its Glue catalog, which the Athena tests
query through Trino. Without the engines (bash scripts/setup-emulator.sh) or pyspark the tests skip, except in CI.
"""
import json
import os
import subprocess
import sys
import time
from decimal import Decimal

import boto3
import pytest
from botocore.config import Config

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)

from emulator import engines  # noqa: E402

REGION = "us-east-1"
LAKE_BUCKET = "emulator-test-lake"
SCRIPTS_BUCKET = "emulator-test-scripts"
RESULTS_BUCKET = "emulator-test-results"
DATABASE = "emulator_test"
TABLE = "sales"
# The lake's rows: the tests compute what Athena must answer from these, not from hard-coded results.
SALES = [(1, "France", Decimal("10.50")), (2, "France", Decimal("4.25")), (3, "Spain", Decimal("7.00")),
         (4, "Norway", Decimal("0.75")), (5, "Japan", Decimal("12.00")), (6, None, Decimal("3.10"))]

# The job's script: what a Glue ETL script does (getResolvedOptions, GlueContext, Spark writing Parquet to
# s3://, boto3 registering the table in the catalog), with a switch to fail before Spark starts.
LAKE_SCRIPT = '''
import sys
from decimal import Decimal

import boto3
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "lake", "database", "table", "rows", "fail"])
if args["fail"] == "yes":
    raise ValueError("the script was told to fail")
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
job = Job(glue_context)
job.init(args["JOB_NAME"], args)
rows = [(r[0], r[1], Decimal(r[2])) for r in __import__("json").loads(args["rows"])]
df = spark.createDataFrame(rows, "id int, country string, amount decimal(10,2)")
location = args["lake"].rstrip("/") + "/" + args["table"] + "/"
df.coalesce(1).write.mode("overwrite").parquet(location)
boto3.client("glue").create_table(DatabaseName=args["database"], TableInput={
    "Name": args["table"], "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
    "StorageDescriptor": {
        "Columns": [{"Name": "id", "Type": "int"}, {"Name": "country", "Type": "string"},
                    {"Name": "amount", "Type": "decimal(10,2)"}],
        "Location": location,
        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
print(f"wrote {spark.read.parquet(location).count()} rows to {location}")
job.commit()
'''
SLEEP_SCRIPT = 'import time\nprint("sleeping", flush=True)\ntime.sleep(600)\n'


def _needed() -> str:
    for what in ("java", "trino", "jars"):
        if engines.main([what]) != 0:
            return f"the emulator's engines are not installed; run: {engines.SETUP_HINT}"
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (bash scripts/setup.sh --test)"
    return ""


class Emulator:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "emulator", "--glue-minute-seconds", "1"],  # noqa: S603
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        first = json.loads(self.process.stdout.readline() or "{}")
        if "endpoint" not in first:
            raise RuntimeError("the emulator did not start")
        self.endpoint = first["endpoint"]
        self._trino = None

    def trino(self) -> str:
        """The local Trino's URL, once it is up (the second line the emulator prints)."""
        if self._trino is None:
            line = json.loads(self.process.stdout.readline() or "{}")
            if not line.get("trino"):
                raise RuntimeError(f"the emulator's Trino did not start: {line}")
            self._trino = line["trino"]
        return self._trino

    def client(self, service: str, config: Config = None):
        config = Config(s3={"addressing_style": "path"}).merge(config or Config())
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint, aws_access_key_id="testing",
                            aws_secret_access_key="testing", config=config)

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def emulator():
    why = _needed()
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)
    started = Emulator()
    yield started
    started.stop()


def wait_for(get_state, final, timeout=300.0, interval=0.5):
    """Polls get_state() until it returns one of `final`; returns the states seen, in order, without repeats."""
    seen = []
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = get_state()
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in final:
            return seen
        time.sleep(interval)
    raise AssertionError(f"still not in {final} after {timeout:.0f} s; states seen: {seen}")


@pytest.fixture(scope="session")
def glue_job(emulator):
    """A Glue job whose script (in the scripts bucket) writes the lake; returns its name."""
    s3, glue = emulator.client("s3"), emulator.client("glue")
    for bucket in (LAKE_BUCKET, SCRIPTS_BUCKET, RESULTS_BUCKET):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=SCRIPTS_BUCKET, Key="jobs/lake.py", Body=LAKE_SCRIPT.encode())
    glue.create_database(DatabaseInput={"Name": DATABASE})
    rows = json.dumps([[i, c, str(a)] for i, c, a in SALES])
    glue.create_job(Name="lake-writer", Role="arn:aws:iam::123456789012:role/glue", GlueVersion="4.0",
                    Command={"Name": "glueetl", "ScriptLocation": f"s3://{SCRIPTS_BUCKET}/jobs/lake.py"},
                    DefaultArguments={"--lake": f"s3://{LAKE_BUCKET}/gold", "--database": DATABASE,
                                      "--table": TABLE, "--rows": rows, "--fail": "no"},
                    ExecutionProperty={"MaxConcurrentRuns": 2}, WorkerType="G.1X", NumberOfWorkers=2)
    return "lake-writer"


@pytest.fixture(scope="session")
def lake_run(emulator, glue_job):
    """The job's run that wrote the lake: (run id, states seen)."""
    glue = emulator.client("glue")
    run_id = glue.start_job_run(JobName=glue_job)["JobRunId"]
    states = wait_for(lambda: glue.get_job_run(JobName=glue_job, RunId=run_id)["JobRun"]["JobRunState"],
                      ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR"))
    return run_id, states
