"""Unit tests of glue/local_run.py's local lake (no Spark): stage-then-swap publishing, discard, the run lock."""
import json
import os
import re
import socket
import time

import pytest

import local_run
from job_common import JobError, WrittenTable


def adapter(lake):
    sql_dir = os.path.join(local_run.HERE, "sql")
    return local_run.LocalAdapter("127.0.0.1", 3306, "lab", "pw", "classicmodels", str(lake), sql_dir)


def stage(a, run_id, content=b"new"):
    location = a.run_location("fact_orders", run_id)
    os.makedirs(location)
    with open(os.path.join(location, "part-00000.zstd.parquet"), "wb") as f:
        f.write(content)
    with open(os.path.join(location, ".part-00000.zstd.parquet.crc"), "wb") as f:
        f.write(b"crc")
    return location


def test_publish_swaps_the_staged_gold_in_with_its_manifest(tmp_path):
    (tmp_path / "gold" / "fact_orders").mkdir(parents=True)
    (tmp_path / "gold" / "fact_orders" / "part-0.parquet").write_bytes(b"old")
    a = adapter(tmp_path)
    location = stage(a, "R2")
    parts = a.list_parts(location)
    assert [p["file"] for p in parts] == ["part-00000.zstd.parquet"]  # Spark's .crc files are dropped
    manifest = {"runId": "R2", "tables": {"fact_orders": {"rows": 1, "files": 1, "bytes": 3, "location": location}}}
    a.publish("R2", [WrittenTable("fact_orders", location, 1, [])], manifest)
    assert sorted(os.listdir(tmp_path)) == ["gold"]
    assert sorted(os.listdir(tmp_path / "gold" / "fact_orders")) == ["part-00000.zstd.parquet"]
    written = json.loads((tmp_path / "gold" / "_manifest.json").read_text())
    assert written["runId"] == "R2" and written["tables"]["fact_orders"]["location"] == "gold/fact_orders"


def test_a_discarded_run_leaves_the_previous_lake(tmp_path):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "_manifest.json").write_text('{"runId": "R1"}')
    a = adapter(tmp_path)
    stage(a, "R2")
    a.discard("R2", ["fact_orders"])
    assert sorted(os.listdir(tmp_path)) == ["gold"]
    assert json.loads((tmp_path / "gold" / "_manifest.json").read_text()) == {"runId": "R1"}


def test_recover_restores_gold_after_a_crash_between_the_renames(tmp_path):
    (tmp_path / ".old-R1").mkdir()
    (tmp_path / ".tmp-R2").mkdir()
    local_run.recover_lake(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["gold"]


def test_the_lock_refuses_a_live_holder_and_takes_a_dead_ones(tmp_path):
    release = local_run.lock_lake(str(tmp_path))
    with pytest.raises(JobError, match=r"Another pipeline run \(process \d+\) is writing the lake"):
        local_run.lock_lake(str(tmp_path))
    release()
    release()  # idempotent
    (tmp_path / ".pipeline.lock").write_text("999999999")  # an old-style lock of a process that is gone
    local_run.lock_lake(str(tmp_path))()


def test_the_lock_is_the_json_record_of_the_local_engine(tmp_path):
    """src/core/lock.ts reads {pid, hostname, startedAt}; a bare pid would lose the holder's host."""
    release = local_run.lock_lake(str(tmp_path))
    record = json.loads((tmp_path / ".pipeline.lock").read_text())
    release()
    assert record["pid"] == os.getpid()
    assert record["hostname"] == socket.gethostname()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["startedAt"])


def test_a_fresh_json_lock_of_the_local_engine_keeps_the_lake(tmp_path):
    # What the TypeScript engine writes while it runs (its own heartbeat keeps the file fresh).
    lock = tmp_path / ".pipeline.lock"
    record = {"pid": os.getppid(), "hostname": socket.gethostname(), "startedAt": "2026-11-30T00:00:00Z"}
    lock.write_text(json.dumps(record))
    with pytest.raises(JobError, match=rf"process {os.getppid()}"):
        local_run.lock_lake(str(tmp_path))
    assert lock.exists()


def test_a_lock_without_heartbeat_is_taken_over_even_with_a_live_pid(tmp_path):
    lock = tmp_path / ".pipeline.lock"
    lock.write_text(json.dumps({"pid": os.getppid(), "hostname": socket.gethostname(), "startedAt": "x"}))
    old = time.time() - local_run.LOCK_STALE_S - 5
    os.utime(lock, (old, old))
    release = local_run.lock_lake(str(tmp_path))
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    release()


def test_the_heartbeat_keeps_a_long_run_s_lock_fresh(tmp_path):
    release = local_run.lock_lake(str(tmp_path), heartbeat_s=0.05)
    lock = tmp_path / ".pipeline.lock"
    old = time.time() - 100
    os.utime(lock, (old, old))
    deadline = time.time() + 5
    while os.stat(lock).st_mtime < old + 50 and time.time() < deadline:
        time.sleep(0.02)
    touched = os.stat(lock).st_mtime
    release()
    assert touched > old + 50, "the heartbeat did not touch the lock"
    assert not lock.exists()


def test_the_password_is_never_an_argument(monkeypatch):
    monkeypatch.delenv("LAB_DB_PASSWORD", raising=False)
    with pytest.raises(JobError, match="Set LAB_DB_PASSWORD"):
        local_run.main(["--user", "lab", "--database", "classicmodels", "--lake", "/nonexistent"])
