"""Glue job runs on the emulator execute their script: state follows the process, logs go to CloudWatch."""
import io

import pytest
from conftest import DATABASE, LAKE_BUCKET, SALES, SCRIPTS_BUCKET, SLEEP_SCRIPT, TABLE, wait_for

FINAL = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")


def log_lines(emulator, group, run_id):
    events = emulator.client("logs").get_log_events(logGroupName=group, logStreamName=run_id)["events"]
    return [e["message"] for e in events]


def test_run_writes_parquet_and_the_catalog_and_succeeds(emulator, glue_job, lake_run):
    run_id, states = lake_run
    glue, s3 = emulator.client("glue"), emulator.client("s3")
    run = glue.get_job_run(JobName=glue_job, RunId=run_id)["JobRun"]
    assert states[-1] == "SUCCEEDED", f"states {states}; error: {run.get('ErrorMessage')}"
    assert "RUNNING" in states
    assert run["ExecutionTime"] >= 1 and run["DPUSeconds"] == pytest.approx(run["ExecutionTime"] * 2)
    assert run["CompletedOn"] >= run["StartedOn"]
    # The job's default arguments reached the script (the run gave none).
    assert run["Arguments"]["--table"] == TABLE
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=LAKE_BUCKET, Prefix=f"gold/{TABLE}/")["Contents"]]
    parquet = [k for k in keys if k.endswith(".parquet")]
    assert parquet, f"no Parquet written: {keys}"
    head = s3.get_object(Bucket=LAKE_BUCKET, Key=parquet[0])["Body"].read(4)
    assert head == b"PAR1"
    table = glue.get_table(DatabaseName=DATABASE, Name=TABLE)["Table"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{LAKE_BUCKET}/gold/{TABLE}/"
    assert f"wrote {len(SALES)} rows to s3://{LAKE_BUCKET}/gold/{TABLE}/" in log_lines(
        emulator, "/aws-glue/jobs/output", run_id)
    assert run_id in [r["Id"] for r in glue.get_job_runs(JobName=glue_job)["JobRuns"]]


def test_a_script_that_raises_fails_with_its_error(emulator, glue_job, lake_run):
    glue = emulator.client("glue")
    # The run's argument overrides the job's default.
    run_id = glue.start_job_run(JobName=glue_job, Arguments={"--fail": "yes"})["JobRunId"]
    wait_for(lambda: glue.get_job_run(JobName=glue_job, RunId=run_id)["JobRun"]["JobRunState"], FINAL)
    run = glue.get_job_run(JobName=glue_job, RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: the script was told to fail"
    assert any("ValueError: the script was told to fail" in line
               for line in log_lines(emulator, "/aws-glue/jobs/error", run_id))


@pytest.fixture(scope="module")
def sleeper(emulator):
    s3, glue = emulator.client("s3"), emulator.client("glue")
    s3.create_bucket(Bucket=SCRIPTS_BUCKET + "-sleep")
    s3.upload_fileobj(io.BytesIO(SLEEP_SCRIPT.encode()), SCRIPTS_BUCKET + "-sleep", "sleep.py")
    location = f"s3://{SCRIPTS_BUCKET}-sleep/sleep.py"
    glue.create_job(Name="sleeper", Role="r", Command={"Name": "pythonshell", "ScriptLocation": location},
                    ExecutionProperty={"MaxConcurrentRuns": 2}, Timeout=600)
    return "sleeper"


def test_batch_stop_job_run_stops_the_process(emulator, sleeper):
    glue = emulator.client("glue")
    run_id = glue.start_job_run(JobName=sleeper)["JobRunId"]
    wait_for(lambda: glue.get_job_run(JobName=sleeper, RunId=run_id)["JobRun"]["JobRunState"], ("RUNNING",))
    wait_for(lambda: "sleeping" in log_lines(emulator, "/aws-glue/jobs/output", run_id), (True,))
    out = glue.batch_stop_job_run(JobName=sleeper, JobRunIds=[run_id, "jr_nope"])
    assert [s["JobRunId"] for s in out["SuccessfulSubmissions"]] == [run_id]
    assert [e["JobRunId"] for e in out["Errors"]] == ["jr_nope"]
    states = wait_for(lambda: glue.get_job_run(JobName=sleeper, RunId=run_id)["JobRun"]["JobRunState"], FINAL,
                      timeout=30, interval=0.1)
    assert states[-1] == "STOPPED"


def test_a_run_past_its_timeout_ends_in_timeout(emulator, sleeper):
    glue = emulator.client("glue")
    # The emulator runs the tests with a 1-second "minute": this run's timeout is 2 s.
    run_id = glue.start_job_run(JobName=sleeper, Timeout=2)["JobRunId"]
    wait_for(lambda: glue.get_job_run(JobName=sleeper, RunId=run_id)["JobRun"]["JobRunState"], FINAL, timeout=60)
    run = glue.get_job_run(JobName=sleeper, RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "TIMEOUT"
    assert 2 <= run["ExecutionTime"] <= 30
