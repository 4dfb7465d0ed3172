"""What the emulator starts ends with it: on a clean stop (stdin closed) and when it is killed outright.
These use an emulator of their own, pointed at a Trino URL so that none is started, and a job that only sleeps."""
import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import boto3
import pytest
from conftest import ROOT, wait_for
from emulator.procs import sweep_stale

SLEEPER = 'import time\nprint("sleeping", flush=True)\ntime.sleep(600)\n'


def pids_with(text):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


@pytest.fixture
def emulator_with_a_running_job():
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--trino-url", "http://127.0.0.1:9"],  # noqa: S603
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        endpoint = json.loads(process.stdout.readline())["endpoint"]
        client = lambda service: boto3.client(service, region_name="us-east-1", endpoint_url=endpoint,  # noqa: E731
                                              aws_access_key_id="testing", aws_secret_access_key="testing")
        s3, glue = client("s3"), client("glue")
        s3.create_bucket(Bucket="scripts")
        s3.put_object(Bucket="scripts", Key="sleep.py", Body=SLEEPER.encode())
        glue.create_job(Name="sleeper", Role="r", Command={"Name": "pythonshell", "ScriptLocation": "s3://scripts/sleep.py"})
        run_id = glue.start_job_run(JobName="sleeper")["JobRunId"]
        wait_for(lambda: glue.get_job_run(JobName="sleeper", RunId=run_id)["JobRun"]["JobRunState"], ("RUNNING",),
                 timeout=30, interval=0.1)
        # Past its print, the job only sleeps: nothing but the emulator's stop can end it (not a broken pipe).
        logs = client("logs")
        wait_for(lambda: "sleeping" in [e["message"] for e in logs.get_log_events(
            logGroupName="/aws-glue/jobs/output", logStreamName=run_id)["events"]], (True,), timeout=30, interval=0.2)
        assert pids_with(run_id), "the job's process is not found by its run id"
        yield process, run_id
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_clean_stop_ends_the_running_job(emulator_with_a_running_job):
    process, run_id = emulator_with_a_running_job
    process.stdin.close()
    process.wait(30)
    assert process.returncode == 0
    assert pids_with(run_id) == []


def test_a_killed_emulator_takes_its_jobs_with_it(emulator_with_a_running_job):
    process, run_id = emulator_with_a_running_job
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)
    deadline = time.time() + 10
    while pids_with(run_id) and time.time() < deadline:
        time.sleep(0.1)
    assert pids_with(run_id) == []
    # The killed emulator's work folder is left behind; the next emulator's start sweeps it away.
    left = glob.glob(os.path.join(tempfile.gettempdir(), f"emulator-glue-{process.pid}-*"))
    assert left, "expected the killed emulator's work folder"
    sweep_stale()
    assert [p for p in left if os.path.exists(p)] == []
