"""The Glue job's logic on local pyspark (glue/local_run.py's adapter, lock and session), timed phase by phase.

    LAB_DB_PASSWORD=... python3 bench/spark_phases.py --host H --port P --user U --run DB=LAKE [--run DB=LAKE ...]
        [--master local[2]]

Used by bench/run.ts. Prints one JSON line per run (its phases in seconds, the manifest's table rows and Parquet
bytes) and a last one with Spark's version and the start-up phases the runs share:
`jvm` (launching the JVM gateway) and `session` (SparkContext and SparkSession). A run's phases: `sourceTotals`
(the JDBC count and sum queries), `jdbcRead` (the source tables read over JDBC into Spark's cache),
`transformWrite` (the model SQL, the Parquet writes and their read-back counts), `reconcile` (the checks),
`publish` (manifest and swap). The job persists each source table and reads it on first use; here the read is forced
right after the tables are registered (`count()` on each cached table), so the JDBC read is timed on its own
instead of inside the first write: the same work, moved.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "glue"))
import glue_job  # noqa: E402
import local_run  # noqa: E402


class Laps:
    def __init__(self) -> None:
        self.mark = time.time()
        self.phases: dict = {}

    def lap(self, name: str, until: float | None = None) -> None:
        now = until if until is not None else time.time()
        self.phases[name] = round(now - self.mark, 3)
        self.mark = now


def main(argv) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3306)
    p.add_argument("--user", required=True)
    p.add_argument("--run", action="append", required=True, metavar="DATABASE=LAKE")
    p.add_argument("--master", default="local[2]")
    p.add_argument("--jar", default=local_run.DEFAULT_JAR)
    args = p.parse_args(argv)
    password = os.environ.get("LAB_DB_PASSWORD")
    if password is None:
        raise glue_job.JobError("Set LAB_DB_PASSWORD (the password is never taken on the command line).")
    if not os.path.exists(args.jar):
        raise glue_job.JobError(f"MySQL Connector/J is not at {args.jar}; run `bash scripts/setup.sh --test`.")
    runs = [spec.partition("=")[::2] for spec in args.run]

    startup = Laps()
    # The JVM on its own: the jar goes on the gateway's command line, so the session below reuses this JVM.
    os.environ["PYSPARK_SUBMIT_ARGS"] = f"--jars {args.jar} --master {args.master} pyspark-shell"
    from pyspark import SparkConf, SparkContext
    SparkContext._ensure_initialized(conf=SparkConf())
    startup.lap("jvm")
    spark = local_run.spark_session(args.master, args.jar)
    startup.lap("session")

    laps = Laps()
    original_totals, original_register = glue_job.read_source_totals, glue_job.register_sources

    def timed_totals(spark_, adapter):
        laps.mark = time.time()
        totals = original_totals(spark_, adapter)
        laps.lap("sourceTotals")
        return totals

    def eager_register(spark_, adapter):
        original_register(spark_, adapter)
        for name, _ in glue_job.SOURCE_TABLES:
            spark_.table(name).count()
        laps.lap("jdbcRead")

    glue_job.read_source_totals, glue_job.register_sources = timed_totals, eager_register
    last_write = [0.0]

    def log(message: str) -> None:
        # run_job logs each table written, then each check once all of them are computed.
        if ": wrote " in message:
            last_write[0] = time.time()
        elif ": check " in message and "transformWrite" not in laps.phases:
            laps.lap("transformWrite", until=last_write[0])
            laps.lap("reconcile")

    try:
        for database, lake in runs:
            laps.phases = {}
            adapter = local_run.LocalAdapter(args.host, args.port, args.user, password, database, lake,
                                             os.path.join(os.path.dirname(HERE), "glue", "sql"))
            release = local_run.lock_lake(adapter.lake)
            try:
                local_run.recover_lake(adapter.lake)
                manifest = glue_job.run_job(spark, adapter, log=log)
                laps.lap("publish")
            finally:
                release()
                spark.catalog.clearCache()
                for view in spark.catalog.listTables():
                    if view.isTemporary:
                        spark.catalog.dropTempView(view.name)
            print(json.dumps({"database": database, "phases": laps.phases,
                              "tables": {t: v["rows"] for t, v in manifest["tables"].items()},
                              "parquetBytes": sum(v["bytes"] for v in manifest["tables"].values())}), flush=True)
    finally:
        spark.stop()
    print(json.dumps({"spark": spark.version, "startup": startup.phases}), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except glue_job.JobError as error:
        print(f"spark_phases: ERROR: {error}", file=sys.stderr)
        sys.exit(1)
