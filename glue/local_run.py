"""Runs the Glue job's logic (glue_job.run_job) on plain pyspark: MySQL/MariaDB over JDBC, a local Parquet lake.

    LAB_DB_PASSWORD=... python3 glue/local_run.py --host 127.0.0.1 --port 3306 --user lab \
        --database classicmodels --lake .lab/spark-lake [--run other_db=/other/lake ...] [--master local[2]]

The password comes from the environment (LAB_DB_PASSWORD), never from the command line (`ps` shows arguments).
`--master` takes any Spark master URL, so the same script runs on a cluster; `--run DATABASE=LAKE` adds more
runs to the same Spark session (the differential test runs the lab dump and a generated database in one process).

The lake is written like the local DuckDB engine writes it: `<lake>/gold/<table>/*.parquet` and
`<lake>/gold/_manifest.json`, staged under `<lake>/.tmp-<runId>/` and swapped in with two renames, so a failed
run leaves the previous lake as it was. Exit code 1 with `local_run: ERROR: <what failed>` on failure.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import sys
import threading
import time
from typing import Any, Callable, Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import glue_job  # noqa: E402  (beside this file; on Glue it is the job script itself)
from job_common import Adapter, JobError, SourceInfo, WrittenTable  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_JAR = os.path.join(REPO, "vendor", "jars", "mysql-connector-j-8.4.0.jar")
TEMP_PREFIX, OLD_PREFIX, LOCK = ".tmp-", ".old-", ".pipeline.lock"


class LocalAdapter(Adapter):
    """JDBC source, local folders for the SQL and the lake; publishing is the stage-then-swap of lakeFiles.ts."""

    def __init__(self, host: str, port: int, user: str, password: str, database: str, lake: str, sql_dir: str):
        self.host, self.port, self.user, self.password, self.database = host, port, user, password, database
        self.lake = os.path.abspath(lake)
        self.sql_dir = sql_dir

    def sql_files(self) -> Dict[str, str]:
        try:
            names = sorted(n for n in os.listdir(self.sql_dir) if n.endswith(".sql") or n == "schema.yml")
            tests_dir = os.path.join(self.sql_dir, "tests")
            if os.path.isdir(tests_dir):
                names += sorted(f"tests/{n}" for n in os.listdir(tests_dir) if n.endswith(".sql"))
        except OSError as err:
            raise JobError(f"The SQL folder {self.sql_dir} could not be read: {err.strerror}") from err
        files = {}
        for name in names:
            with open(os.path.join(self.sql_dir, name), encoding="utf-8") as f:
                files[name] = f.read()
        return files

    def source_info(self) -> SourceInfo:
        return SourceInfo(self.host, self.port, self.database)

    def read_source(self, spark, query: str):
        url = (f"jdbc:mysql://{self.host}:{self.port}/{self.database}"
               "?useSSL=false&allowPublicKeyRetrieval=true&connectTimeout=5000")
        return (spark.read.format("jdbc").option("url", url).option("driver", "com.mysql.cj.jdbc.Driver")
                .option("user", self.user).option("password", self.password).option("query", query).load())

    def staged_gold(self, run_id: str) -> str:
        return os.path.join(self.lake, TEMP_PREFIX + run_id, "gold")

    def run_location(self, table: str, run_id: str) -> str:
        return os.path.join(self.staged_gold(run_id), table)

    def list_parts(self, location: str) -> List[Dict[str, Any]]:
        # Spark's local writer leaves _SUCCESS and .crc files; the lake holds only the Parquet parts.
        parts = []
        for name in sorted(os.listdir(location)):
            full = os.path.join(location, name)
            if not name.endswith(".parquet") or name.startswith((".", "_")):
                os.remove(full)
                continue
            with open(full, "rb") as f:
                digest = hashlib.file_digest(f, "sha256") if hasattr(hashlib, "file_digest") else None
                if digest is None:
                    f.seek(0)
                    digest = hashlib.sha256(f.read())
            parts.append({"file": name, "bytes": os.path.getsize(full), "sha256": digest.hexdigest()})
        return parts

    def publish(self, run_id: str, tables: List[WrittenTable], manifest: Dict[str, Any]) -> None:
        staged = self.staged_gold(run_id)
        for name, entry in manifest["tables"].items():
            entry["location"] = f"gold/{name}"
        with open(os.path.join(staged, "_manifest.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2)
        gold = os.path.join(self.lake, "gold")
        old = os.path.join(self.lake, OLD_PREFIX + run_id)
        moved_old = False
        if os.path.exists(gold):
            os.rename(gold, old)
            moved_old = True
        try:
            os.rename(staged, gold)
        except OSError:
            if moved_old:
                os.rename(old, gold)
            raise
        if moved_old:
            shutil.rmtree(old, ignore_errors=True)
        shutil.rmtree(os.path.join(self.lake, TEMP_PREFIX + run_id), ignore_errors=True)

    def discard(self, run_id: str, tables: List[str]) -> None:
        shutil.rmtree(os.path.join(self.lake, TEMP_PREFIX + run_id), ignore_errors=True)


# The lock contract of src/core/lock.ts: a JSON record of the holder, touched every few seconds by a heartbeat; a lock
# untouched for LOCK_STALE_S, or whose process on this host is gone, is abandoned and taken over.
LOCK_HEARTBEAT_S, LOCK_STALE_S = 5.0, 30.0


def read_lock_holder(text: str) -> Dict[str, Any]:
    """The holder's record; an older lock holds just the pid, one being written holds nothing yet (pid 0)."""
    try:
        record = json.loads(text)
        if isinstance(record, dict) and isinstance(record.get("pid"), int):
            return {"pid": record["pid"], "hostname": str(record.get("hostname") or "")}
    except ValueError:
        pass
    try:
        return {"pid": int(text.strip() or 0), "hostname": ""}
    except ValueError:
        return {"pid": 0, "hostname": ""}


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True  # exists, owned by someone else
    except OSError:
        return False


def _hold_with_heartbeat(lock: str, heartbeat_s: float) -> Callable[[], None]:
    """Touches the lock until released; returns the release function (idempotent)."""
    stop = threading.Event()

    def beat() -> None:
        # A failed touch is retried next beat; the lock only goes stale after several missed ones.
        while not stop.wait(heartbeat_s):
            try:
                os.utime(lock)
            except OSError:
                pass

    threading.Thread(target=beat, name="lake-lock-heartbeat", daemon=True).start()

    def release() -> None:
        if stop.is_set():
            return
        stop.set()
        try:
            os.remove(lock)
        except FileNotFoundError:
            pass

    return release


def lock_lake(lake: str, stale_s: float = LOCK_STALE_S, heartbeat_s: float = LOCK_HEARTBEAT_S) -> Callable[[], None]:
    """One run per lake at a time, shared with the local engine: returns the release function (idempotent)."""
    os.makedirs(lake, exist_ok=True)
    lock = os.path.join(lake, LOCK)
    me = {"pid": os.getpid(), "hostname": socket.gethostname(),
          "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    for _ in range(3):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(lock, encoding="utf-8") as f:
                    holder = read_lock_holder(f.read())
                silent_s = time.time() - os.stat(lock).st_mtime
            except FileNotFoundError:
                continue  # released while we looked
            same_host = not holder["hostname"] or holder["hostname"] == socket.gethostname()
            dead = same_host and holder["pid"] > 0 and not _process_alive(holder["pid"])
            if not dead and silent_s < stale_s:
                raise JobError(f"Another pipeline run (process {holder['pid']}) is writing the lake {lake}.") from None
            print(f"local_run: took over the lake lock of process {holder['pid']} "
                  f"({'no longer runs' if dead else f'no heartbeat for {silent_s:.0f} s'}).", file=sys.stderr)
            try:
                os.remove(lock)
            except FileNotFoundError:
                pass
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(me, f)
        return _hold_with_heartbeat(lock, heartbeat_s)
    raise JobError(f"The lake lock {lock} could not be taken.")


def recover_lake(lake: str) -> None:
    """Restores gold/ if a run died between the two renames, and removes leftover temp folders."""
    entries = os.listdir(lake)
    olds = sorted(e for e in entries if e.startswith(OLD_PREFIX))
    if "gold" not in entries and olds:
        os.rename(os.path.join(lake, olds.pop()), os.path.join(lake, "gold"))
    for e in [x for x in entries if x.startswith(TEMP_PREFIX)] + olds:
        shutil.rmtree(os.path.join(lake, e), ignore_errors=True)


def spark_session(master: str, jar: str):
    from pyspark.sql import SparkSession

    if not os.path.exists(jar):
        raise JobError(f"MySQL Connector/J is not at {jar}; run `bash scripts/setup.sh --test` (it fetches it).")
    spark = (SparkSession.builder.master(master).appName("lifecycle-lab-local-run")
             .config("spark.jars", jar)
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
             .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
             .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def parse_args(argv: List[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=3306)
    p.add_argument("--user", required=True)
    p.add_argument("--database", required=True, help="source database of the first run")
    p.add_argument("--lake", required=True, help="lake folder of the first run")
    p.add_argument("--run", action="append", default=[], metavar="DATABASE=LAKE", help="another run, same session")
    p.add_argument("--sql-dir", default=os.path.join(HERE, "sql"))
    p.add_argument("--master", default="local[2]", help="Spark master URL (local[N], spark://host:7077, yarn)")
    p.add_argument("--jar", default=DEFAULT_JAR, help="MySQL Connector/J jar")
    p.add_argument("--json", action="store_true", help="print one JSON summary line per run and one at the end")
    return p.parse_args(argv)


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    password = os.environ.get("LAB_DB_PASSWORD")
    if password is None:
        raise JobError("Set LAB_DB_PASSWORD to the source user's password (it is not taken on the command line).")
    runs = [(args.database, args.lake)]
    for spec in args.run:
        database, eq, lake = spec.partition("=")
        if not eq or not database or not lake:
            raise JobError(f"--run takes DATABASE=LAKE_DIR; got {spec!r}.")
        runs.append((database, lake))

    t0 = time.time()
    spark = spark_session(args.master, args.jar)
    startup = time.time() - t0
    version = spark.version
    log = (lambda _msg: None) if args.json else (lambda msg: print(msg, flush=True))
    try:
        for database, lake in runs:
            adapter = LocalAdapter(args.host, args.port, args.user, password, database, lake, args.sql_dir)
            release = lock_lake(adapter.lake)
            try:
                recover_lake(adapter.lake)
                started = time.time()
                manifest = glue_job.run_job(spark, adapter, log=log)
                seconds = time.time() - started
            finally:
                release()
                # Each run reads its own source: drop the views and cached rows of the previous one.
                spark.catalog.clearCache()
                for view in spark.catalog.listTables():
                    if view.isTemporary:
                        spark.catalog.dropTempView(view.name)
            summary = {"database": database, "lake": adapter.lake, "runId": manifest["runId"],
                       "seconds": round(seconds, 3), "tables": {t: v["rows"] for t, v in manifest["tables"].items()}}
            print(json.dumps(summary) if args.json else f"run {manifest['runId']} on {database}: {seconds:.1f} s",
                  flush=True)
    finally:
        spark.stop()
    total = {"spark": version, "startupSeconds": round(startup, 3), "totalSeconds": round(time.time() - t0, 3)}
    print(json.dumps(total) if args.json else f"spark {total['spark']}: {total['totalSeconds']:.1f} s in all")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except JobError as error:
        print(f"local_run: ERROR: {error}", file=sys.stderr)
        sys.exit(1)
