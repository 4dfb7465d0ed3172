"""Glue job runs that execute, behind moto's Glue API.

StartJobRun on a job runs the job's script (its Command.ScriptLocation, read from the emulator's S3) with local
pyspark, the way Glue runs it: `python <script> --JOB_ID .. --JOB_RUN_ID .. --JOB_NAME .. <arguments>`, the job's
default arguments merged with the run's (the non-overridable ones last). Spark gets s3a on the emulator's S3 (also
for s3:// paths, as Glue reads them), boto3 in the script reaches the emulator through AWS_ENDPOINT_URL, and where
`awsglue` is not installed the small shim in emulator/shim stands in for it. As on Glue, the s3:// objects the run's
`--extra-files` and `--extra-py-files` list (comma-separated) are copied beside the script before it starts: its working
directory, and the first entry of its Python path.

The run's state follows the process: STARTING (script fetched, process starting) -> RUNNING -> SUCCEEDED on exit 0,
FAILED with the script's exception as ErrorMessage, STOPPED after BatchStopJobRun, TIMEOUT past the run's (or the
job's) timeout in minutes. stdout and stderr go to CloudWatch Logs, streams named by the run id in
/aws-glue/jobs/output and /aws-glue/jobs/error. GetJobRun and GetJobRuns answer from here (epoch times, the real
ExecutionTime and DPUSeconds).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import deque
from typing import Any, Callable, Deque, Dict, List, Optional

from moto.glue import models as glue_models
from moto.glue.exceptions import ConcurrentRunsExceededException, JobRunNotFoundException
from moto.glue.responses import GlueResponse

from . import engines
from .log_streams import CloudWatchStream, flush_every_second, pump
from .procs import Spawner, stop_group, work_dir

SHIM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shim")
OUTPUT_GROUP = "/aws-glue/jobs/output"
ERROR_GROUP = "/aws-glue/jobs/error"
ACTIVE = ("STARTING", "RUNNING", "STOPPING")
FINAL = ("SUCCEEDED", "FAILED", "STOPPED", "TIMEOUT", "ERROR")
DPU_PER_WORKER = {"G.025X": 0.25, "G.1X": 1, "G.2X": 2, "G.4X": 4, "G.8X": 8, "Z.2X": 2, "Standard": 1}
DEFAULT_TIMEOUT_MINUTES = 2880
# Environment the job must not inherit: it would send boto3 or Spark somewhere else than the emulator.
SCRUBBED_ENV = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                "PYSPARK_SUBMIT_ARGS", "SPARK_HOME")


def local_cores(master: str) -> int:
    """The cores of a local master: local[2] -> 2, local[*] and local -> this machine's (1 for plain local)."""
    inside = master[len("local["):-1] if master.startswith("local[") and master.endswith("]") else ""
    if inside.isdigit():
        return max(1, int(inside))
    return os.cpu_count() or 1 if inside.startswith("*") else 1


def error_message(stderr_lines: List[str], code: Optional[int]) -> str:
    """The script's exception as Glue shows it ("ValueError: boom"): the last line of the last traceback."""
    last_traceback = None
    for i, line in enumerate(stderr_lines):
        if line.startswith("Traceback (most recent call last):"):
            last_traceback = i
    if last_traceback is not None:
        for line in stderr_lines[last_traceback + 1:]:
            if line and not line[0].isspace():
                return line.strip()
    return f"Command failed with exit code {code}"


class EmulatedJobRun(glue_models.FakeJobRun):
    """A run whose state is the runner's (moto's state manager does not move it)."""

    def __init__(self, job: glue_models.FakeJob, arguments: Dict[str, str], **kwargs: Any):
        super().__init__(job_name=job.name, arguments=arguments, **kwargs)
        self._status = "STARTING"
        self.glue_version = job.glue_version
        self.started_at = time.time()
        self.modified_at = self.started_at
        self.completed_at: Optional[float] = None
        self.error_message: Optional[str] = None
        self.process: Optional[subprocess.Popen] = None
        self.stop_reason: Optional[str] = None  # "STOPPED" or "TIMEOUT" once the runner decided to end it
        self.lock = threading.Lock()

    @property
    def status(self) -> Optional[str]:
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value
        self.modified_at = time.time()

    def advance(self) -> None:
        pass

    def capacity(self) -> float:
        if self.number_of_workers and self.worker_type in DPU_PER_WORKER:
            return self.number_of_workers * DPU_PER_WORKER[self.worker_type]
        return float(self.max_capacity or self.allocated_capacity or 10)

    def as_dict(self) -> Dict[str, Any]:
        out = super().as_dict()
        end = self.completed_at or time.time()
        seconds = int(end - self.started_at)
        out.update({
            "StartedOn": self.started_at,
            "LastModifiedOn": self.modified_at,
            "JobRunState": self.status,
            "ExecutionTime": seconds,
            "LogGroupName": "/aws-glue/jobs",
            "GlueVersion": self.glue_version or "4.0",
            "Timeout": self.timeout or DEFAULT_TIMEOUT_MINUTES,
        })
        out.pop("CompletedOn", None)
        if self.completed_at:
            out["CompletedOn"] = self.completed_at
            out["DPUSeconds"] = round(seconds * self.capacity(), 3)
        if self.error_message:
            out["ErrorMessage"] = self.error_message
        return out


class GlueRunner:
    """Runs job scripts on local (or a given) Spark; one thread per run."""

    def __init__(self, spawner: Spawner, aws_endpoint: str, client: Callable[[str], Any],
                 region: str = "us-east-1", spark_master: str = "local[2]", driver_memory: str = "1g",
                 minute_seconds: float = 60.0, python: str = sys.executable):
        self.spawner = spawner
        self.aws_endpoint = aws_endpoint
        self.client = client
        self.region = region
        self.spark_master = spark_master
        self.driver_memory = driver_memory
        self.minute_seconds = minute_seconds  # tests shorten a "minute" of the timeout
        self.python = python
        self.dir = work_dir("glue")
        self.runs: List[EmulatedJobRun] = []

    def start(self, job: glue_models.FakeJob, run: EmulatedJobRun) -> None:
        self.runs.append(run)
        threading.Thread(target=self._run, args=(job, run), name=f"glue-{run.job_run_id}", daemon=True).start()

    def stop(self, run: EmulatedJobRun, reason: str = "STOPPED") -> None:
        with run.lock:
            if run.status not in ACTIVE or run.stop_reason:
                return
            run.stop_reason = reason
            if reason == "STOPPED":
                run.status = "STOPPING"
            process = run.process
        if process is not None:
            threading.Thread(target=stop_group, args=(process, 10.0), daemon=True).start()

    def close(self) -> None:
        for run in list(self.runs):
            self.stop(run)
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- one run
    def _environment(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in SCRUBBED_ENV}
        jars = engines.spark_jars()
        host = self.aws_endpoint
        confs = {
            "spark.ui.enabled": "false",
            "spark.driver.host": "127.0.0.1",
            "spark.driver.bindAddress": "127.0.0.1",
            "spark.sql.session.timeZone": "UTC",
            "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",  # Glue's JVMs run in UTC
            "spark.ui.showConsoleProgress": "false",
            "spark.hadoop.fs.s3a.endpoint": host,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
            "spark.hadoop.fs.s3a.access.key": "testing",
            "spark.hadoop.fs.s3a.secret.key": "testing",
            "spark.hadoop.fs.s3a.aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "spark.hadoop.fs.s3a.endpoint.region": self.region,
            # Glue reads and writes s3:// paths through its S3 file system; s3a stands in for it.
            "spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem",
        }
        if self.spark_master.startswith("local"):
            # Spark's 200 shuffle partitions are sized for a cluster; on one machine each shuffle of the lab's tables
            # would run 200 tasks: two per core instead.
            confs["spark.sql.shuffle.partitions"] = str(2 * local_cores(self.spark_master))
        submit = ["--master", self.spark_master, "--driver-memory", self.driver_memory, "--jars", ",".join(jars)]
        for key, value in confs.items():
            submit += ["--conf", f"{key}={value}"]
        java_home = engines.spark_java_home()
        if java_home:
            env["JAVA_HOME"] = java_home
            env["PATH"] = os.pathsep.join([os.path.join(java_home, "bin"), env.get("PATH", "")])
        pythonpath = [p for p in (env.get("PYTHONPATH", ""), SHIM_DIR) if p]
        env.update({
            "PYSPARK_SUBMIT_ARGS": " ".join(submit + ["pyspark-shell"]),
            "PYSPARK_PYTHON": self.python,
            "PYTHONPATH": os.pathsep.join(pythonpath),
            "PYTHONUNBUFFERED": "1",
            "SPARK_LOCAL_IP": "127.0.0.1",
            "AWS_ENDPOINT_URL": host,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - the emulator's fake keys
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        return env

    def _run(self, job: glue_models.FakeJob, run: EmulatedJobRun) -> None:
        try:
            output = CloudWatchStream(self.client("logs"), OUTPUT_GROUP, run.job_run_id)
            errors = CloudWatchStream(self.client("logs"), ERROR_GROUP, run.job_run_id)
        except Exception as err:
            self._end(run, "FAILED", f"The run's CloudWatch Logs streams could not be created: {err}")
            return
        try:
            script = self._fetch_script(job, run)
            for listing in ("--extra-files", "--extra-py-files"):
                self._fetch_extra_files(run, listing, os.path.dirname(script))
            argv = self._argv(job, run, script)
            env = self._environment()
        except Exception as err:
            errors.add(str(err))
            errors.flush()
            self._end(run, "FAILED", str(err))
            return
        with run.lock:
            if run.stop_reason:
                self._end(run, run.stop_reason, None)
                return
            run.process = self.spawner.popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, env=env, cwd=os.path.dirname(script))
            run.status = "RUNNING"
        tail: Deque[str] = deque(maxlen=400)
        readers = [threading.Thread(target=pump, args=(run.process.stdout, output, None), daemon=True),
                   threading.Thread(target=pump, args=(run.process.stderr, errors, tail), daemon=True)]
        for reader in readers:
            reader.start()
        threading.Thread(target=flush_every_second, args=(run.process, [output, errors]), daemon=True).start()
        timeout_minutes = run.timeout or job.timeout or DEFAULT_TIMEOUT_MINUTES
        timer = threading.Timer(timeout_minutes * self.minute_seconds, self.stop, args=(run, "TIMEOUT"))
        timer.daemon = True
        timer.start()
        code = run.process.wait()
        timer.cancel()
        for reader in readers:
            reader.join(30)
        for stream in (output, errors):
            try:
                stream.flush()
            except Exception as err:  # a lost log must not hide the run's outcome
                print(f"emulator: could not write the run's log: {err}", file=sys.stderr)
        if run.stop_reason == "TIMEOUT":
            self._end(run, "TIMEOUT", f"Job run timed out after {timeout_minutes} minutes")
        elif run.stop_reason:
            self._end(run, "STOPPED", None)
        elif code == 0:
            self._end(run, "SUCCEEDED", None)
        else:
            self._end(run, "FAILED", error_message(list(tail), code))

    def _fetch_script(self, job: glue_models.FakeJob, run: EmulatedJobRun) -> str:
        location = (job.command or {}).get("ScriptLocation", "")
        if not location.startswith("s3://"):
            raise RuntimeError(f"The job's script location is not an s3:// URL: {location!r}")
        bucket, _, key = location[len("s3://"):].partition("/")
        try:
            body = self.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
        except Exception as err:
            raise RuntimeError(f"The job's script {location} could not be read: {err}") from err
        run_dir = os.path.join(self.dir, run.job_run_id)
        os.makedirs(run_dir, exist_ok=True)
        path = os.path.join(run_dir, os.path.basename(key) or "script.py")
        with open(path, "wb") as f:
            f.write(body)
        return path

    def _fetch_extra_files(self, run: EmulatedJobRun, listing: str, work: str) -> None:
        """Glue's --extra-files (copied into the script's working directory) and --extra-py-files (put on its Python
        path): each listed s3:// object, by its base name, beside the script, which is both here."""
        listed = str((run.arguments or {}).get(listing) or "")
        for location in (x.strip() for x in listed.split(",")):
            if not location:
                continue
            bucket, _, key = location[len("s3://"):].partition("/") if location.startswith("s3://") else ("", "", "")
            name = os.path.basename(key)
            if not bucket or not name:
                raise RuntimeError(f"{listing} names {location!r}, which is not the s3:// URL of a file")
            try:
                body = self.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
            except Exception as err:
                raise RuntimeError(f"The job's extra file {location} could not be read: {err}") from err
            with open(os.path.join(work, name), "wb") as f:
                f.write(body)

    def _argv(self, job: glue_models.FakeJob, run: EmulatedJobRun, script: str) -> List[str]:
        argv = [self.python, script, "--JOB_ID", f"j_{run.job_run_id[3:]}", "--JOB_RUN_ID", run.job_run_id,
                "--JOB_NAME", job.name]
        for key, value in (run.arguments or {}).items():
            if key.lstrip("-") in ("JOB_ID", "JOB_RUN_ID", "JOB_NAME"):
                continue
            argv += [key if key.startswith("--") else f"--{key}", str(value)]
        return argv

    @staticmethod
    def _end(run: EmulatedJobRun, state: str, message: Optional[str]) -> None:
        with run.lock:
            run.error_message = message
            run.completed_at = time.time()
            run.status = state


# ---- moto's Glue API on these runs --------------------------------------------------------------------------

def install(runner: GlueRunner) -> None:
    """Makes moto's StartJobRun execute through `runner`, and adds BatchStopJobRun."""

    def start_job_run(self, allocated_capacity, max_capacity, timeout, worker_type, security_configuration,
                      number_of_workers, notification_property, previous_run_id, arguments):
        active = [r for r in self.job_runs if r.status in ACTIVE]
        if len(active) >= self.execution_property.get("MaxConcurrentRuns", 1):
            raise ConcurrentRunsExceededException(f"Job with name {self.name} already running")
        merged = dict(self.default_arguments or {})
        merged.update(arguments or {})
        merged.update(self.non_overridable_arguments or {})
        run = EmulatedJobRun(
            self, merged, allocated_capacity=allocated_capacity or self.allocated_capacity,
            max_capacity=max_capacity or self.max_capacity, timeout=timeout or self.timeout,
            worker_type=worker_type or self.worker_type,
            security_configuration=security_configuration or self.security_configuration,
            number_of_workers=number_of_workers or self.number_of_workers,
            notification_property=notification_property or self.notification_property,
        )
        if previous_run_id:
            run.previous_run_id = previous_run_id
        self.job_runs.append(run)
        runner.start(self, run)
        return run.job_run_id

    def batch_stop_job_run(self):
        job = self.glue_backend.get_job(self._get_param("JobName"))
        stopped, errors = [], []
        for run_id in self._get_param("JobRunIds") or []:
            try:
                run = job.get_job_run(run_id)
            except JobRunNotFoundException:
                errors.append({"JobName": job.name, "JobRunId": run_id,
                               "ErrorDetail": {"ErrorCode": "EntityNotFoundException",
                                               "ErrorMessage": f"Job run {run_id} not found."}})
                continue
            if isinstance(run, EmulatedJobRun) and run.status in ("STARTING", "RUNNING"):
                runner.stop(run)
                stopped.append({"JobName": job.name, "JobRunId": run_id})
            else:
                errors.append({"JobName": job.name, "JobRunId": run_id,
                               "ErrorDetail": {"ErrorCode": "InvalidInputException",
                                               "ErrorMessage": f"Job run {run_id} is in state {run.status} "
                                                               "and cannot be stopped."}})
        return json.dumps({"SuccessfulSubmissions": stopped, "Errors": errors})

    glue_models.FakeJob.start_job_run = start_job_run
    GlueResponse.batch_stop_job_run = batch_stop_job_run

