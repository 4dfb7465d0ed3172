"""Glue job runs on the emulator execute their script: state follows the process, logs go to CloudWatch."""
import io
import os

import pytest
from conftest import DATABASE, LAKE_BUCKET, ROOT, SALES, SCRIPTS_BUCKET, SLEEP_SCRIPT, TABLE, wait_for

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


# A job that checks a manifest as glue/glue_job.py does before it publishes: the job's modules reach the run only
# through --extra-py-files, its schema and the manifest through --extra-files, as terraform/glue.tf ships them.
CHECK_SCRIPT = '''
import json
import os

import job_manifest

with open("glue-run.json", encoding="utf-8") as f:
    job_manifest.refuse_invalid_manifest(json.load(f), print)
print("working directory:", ",".join(sorted(os.listdir("."))))
'''


def test_extra_files_and_modules_are_beside_the_script_so_the_job_checks_its_manifest(emulator):
    s3, glue = emulator.client("s3"), emulator.client("glue")
    bucket = SCRIPTS_BUCKET + "-extra"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="jobs/check.py", Body=CHECK_SCRIPT.encode())
    for path, key in ((os.path.join(ROOT, "glue", "manifest.schema.json"), "glue/manifest.schema.json"),
                      (os.path.join(ROOT, "glue", "job_manifest.py"), "lib/job_manifest.py"),
                      (os.path.join(ROOT, "glue", "job_common.py"), "lib/job_common.py"),
                      (os.path.join(ROOT, "test", "fixtures", "manifests", "glue-run.json"), "runs/glue-run.json")):
        s3.upload_file(path, bucket, key)
    extra = f"s3://{bucket}/glue/manifest.schema.json, s3://{bucket}/runs/glue-run.json"
    modules = f"s3://{bucket}/lib/job_manifest.py,s3://{bucket}/lib/job_common.py"
    glue.create_job(Name="manifest-check", Role="r", Command={"Name": "pythonshell",
                                                              "ScriptLocation": f"s3://{bucket}/jobs/check.py"},
                    DefaultArguments={"--extra-files": extra, "--extra-py-files": modules})
    run_id = glue.start_job_run(JobName="manifest-check")["JobRunId"]
    wait_for(lambda: glue.get_job_run(JobName="manifest-check", RunId=run_id)["JobRun"]["JobRunState"], FINAL,
             timeout=120)
    run = glue.get_job_run(JobName="manifest-check", RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    lines = log_lines(emulator, "/aws-glue/jobs/output", run_id)
    assert any(line.startswith("run ") and "the manifest keeps manifest.schema.json (checked against" in line
               for line in lines), lines
    listed = "check.py,glue-run.json,job_common.py,job_manifest.py,manifest.schema.json"
    assert f"working directory: {listed}" in lines, lines

    # A listed object that is not there fails the run before the script starts, naming it.
    run_id = glue.start_job_run(JobName="manifest-check",
                                Arguments={"--extra-files": f"s3://{bucket}/glue/absent.json"})["JobRunId"]
    wait_for(lambda: glue.get_job_run(JobName="manifest-check", RunId=run_id)["JobRun"]["JobRunState"], FINAL,
             timeout=60)
    run = glue.get_job_run(JobName="manifest-check", RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "FAILED"
    assert f"s3://{bucket}/glue/absent.json could not be read" in run["ErrorMessage"]
