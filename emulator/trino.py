"""Trino for the emulated Athena: a single-node local server on loopback, and the client protocol.

The server has one catalog, `awsdatacatalog` (the name Athena gives the Glue Data Catalog): Trino's Hive connector
with its metastore on the emulator's Glue and its files on the emulator's S3 (path-style). Memory is bounded for a
2-core machine: -Xmx2G, query.max-memory=1GB.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import requests

from . import engines
from .procs import Spawner, stop_group, work_dir

CATALOG = "awsdatacatalog"
USER = "athena"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def catalog_properties(aws_endpoint: str, region: str, access_key: str, secret_key: str) -> str:
    return "\n".join([
        "connector.name=hive",
        "hive.metastore=glue",
        f"hive.metastore.glue.region={region}",
        f"hive.metastore.glue.endpoint-url={aws_endpoint}",
        f"hive.metastore.glue.aws-access-key={access_key}",
        f"hive.metastore.glue.aws-secret-key={secret_key}",
        "fs.native-s3.enabled=true",
        f"s3.endpoint={aws_endpoint}",
        f"s3.region={region}",
        "s3.path-style-access=true",
        f"s3.aws-access-key={access_key}",
        f"s3.aws-secret-key={secret_key}",
        # The Glue job replaces a table's location on every run; Trino must not keep reading the old one.
        "hive.metastore-cache-ttl=0s",
        # Athena's CREATE TABLE AS takes an external_location.
        "hive.non-managed-table-writes-enabled=true",
        # Athena bills the columns a query reads; Trino would read a Parquet file under 3 MB whole (its default
        # small-file threshold), so a small lake's bytes scanned counted every column.
        "parquet.small-file-threshold=0B",
        "",
    ])


class TrinoServer:
    """A local Trino coordinator (also its only worker) started from vendor/trino; stop() ends it."""

    def __init__(self, spawner: Spawner, aws_endpoint: str, region: str = "us-east-1",
                 access_key: str = "testing", secret_key: str = "testing",  # noqa: S107 - the emulator's fake keys
                 heap: str = "2G", query_max_memory: str = "1GB", port: int = 0):
        self.spawner = spawner
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = engines.trino_home()
        self.java_home = engines.trino_java_home()
        self.dir = work_dir("trino")
        etc = os.path.join(self.dir, "etc")
        os.makedirs(os.path.join(etc, "catalog"))
        files = {
            "node.properties": ["node.environment=emulator", "node.id=emulator-1",
                                f"node.data-dir={os.path.join(self.dir, 'data')}"],
            "config.properties": ["coordinator=true", "node-scheduler.include-coordinator=true",
                                  f"http-server.http.port={self.port}", f"discovery.uri={self.url}",
                                  "node.bind-ip=127.0.0.1", "node.internal-address=127.0.0.1",
                                  f"query.max-memory={query_max_memory}",
                                  f"query.max-memory-per-node={query_max_memory}",
                                  # One node on 2 cores: fewer threads than Trino's per-core defaults.
                                  "task.concurrency=2", "task.max-worker-threads=4",
                                  "catalog.management=static"],
            "jvm.config": ["-server", f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError",
                           "-Djdk.attach.allowAttachSelf=true", "-XX:-UseContainerSupport"],
            "log.properties": ["io.trino=WARN", "io.airlift=WARN"],
        }
        for name, lines in files.items():
            with open(os.path.join(etc, name), "w", encoding="utf-8") as f:
                f.write("\n".join(lines) + "\n")
        with open(os.path.join(etc, "catalog", f"{CATALOG}.properties"), "w", encoding="utf-8") as f:
            f.write(catalog_properties(aws_endpoint, region, access_key, secret_key))
        self.log_path = os.path.join(self.dir, "server.log")
        self._log = open(self.log_path, "wb")  # closed in stop()
        self.process: Optional[subprocess.Popen] = None
        self.etc = etc

    def start(self) -> None:
        env = dict(os.environ, JAVA_HOME=self.java_home, PATH=f"{self.java_home}/bin:{os.environ.get('PATH', '')}")
        self.process = self.spawner.popen(
            [os.path.join(self.home, "bin", "launcher"), "run", f"--etc-dir={self.etc}",
             f"--data-dir={os.path.join(self.dir, 'data')}"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, env=env)

    def wait_ready(self, timeout: float = 180.0, stopped: Optional[Callable[[], bool]] = None) -> None:
        """Waits until the coordinator accepts queries (GET /v1/info says starting: false)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"Trino exited with code {self.process.returncode}: {self.log_tail()}")
            if stopped and stopped():
                raise RuntimeError("the emulator is stopping")
            try:
                info = requests.get(f"{self.url}/v1/info", timeout=2).json()
                if not info.get("starting", True):
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Trino did not start within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-chars:]
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None:
            stop_group(self.process, grace_seconds=10)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class TrinoResult:
    """What a finished statement gave: columns (Trino's name, type and typeSignature), rows, final stats."""
    query_id: str = ""
    state: str = ""
    columns: List[Dict[str, Any]] = field(default_factory=list)
    rows: List[List[Any]] = field(default_factory=list)
    stats: Dict[str, Any] = field(default_factory=dict)
    error: Optional[Dict[str, Any]] = None
    update_type: Optional[str] = None


class TrinoCancelled(Exception):
    pass


class TrinoClient:
    """The Trino client protocol: POST /v1/statement, then follow nextUri until it is absent."""

    def __init__(self, url: str, user: str = USER):
        self.url = url.rstrip("/")
        self.user = user
        self.http = requests.Session()

    def execute(self, sql: str, catalog: str = CATALOG, schema: Optional[str] = None,
                prepared: Optional[Dict[str, str]] = None, session: Optional[Dict[str, str]] = None,
                on_progress: Optional[Callable[[Dict[str, Any]], None]] = None,
                cancelled: Optional[Callable[[], bool]] = None) -> TrinoResult:
        """Runs one statement to its end. `prepared` names statements that `sql` may EXECUTE; `on_progress` sees
        each response (its id, stats and state); when `cancelled()` turns true the query is cancelled on Trino."""
        headers = {"X-Trino-User": self.user, "X-Trino-Catalog": catalog, "X-Trino-Source": "emulated-athena"}
        if schema:
            headers["X-Trino-Schema"] = schema
        for name, text in (prepared or {}).items():
            headers.setdefault("X-Trino-Prepared-Statement", "")
            entry = f"{name}={urllib.parse.quote(text, safe='')}"
            headers["X-Trino-Prepared-Statement"] = ",".join(filter(None, [headers["X-Trino-Prepared-Statement"],
                                                                            entry]))
        if session:
            headers["X-Trino-Session"] = ",".join(f"{k}={urllib.parse.quote(v, safe='')}" for k, v in session.items())
        response = self._call("POST", f"{self.url}/v1/statement", data=sql.encode("utf-8"), headers=headers)
        result = TrinoResult()
        while True:
            result.query_id = response.get("id", result.query_id)
            result.stats = response.get("stats", result.stats)
            result.state = result.stats.get("state", result.state)
            if response.get("columns") and not result.columns:
                result.columns = response["columns"]
            result.rows.extend(response.get("data") or [])
            if response.get("updateType"):
                result.update_type = response["updateType"]
            if response.get("error"):
                result.error = response["error"]
            if on_progress:
                on_progress(response)
            next_uri = response.get("nextUri")
            if not next_uri:
                return result
            if cancelled and cancelled():
                self.cancel(next_uri)
                raise TrinoCancelled(result.query_id)
            response = self._call("GET", next_uri, headers={"X-Trino-User": self.user})

    def cancel(self, next_uri: str) -> None:
        try:
            self.http.delete(next_uri, headers={"X-Trino-User": self.user}, timeout=10)
        except requests.RequestException:
            pass

    def _call(self, method: str, url: str, **kwargs: Any) -> Dict[str, Any]:
        # 502/503/504 mean "try again" in the protocol.
        for attempt in range(20):
            r = self.http.request(method, url, timeout=120, **kwargs)
            if r.status_code in (502, 503, 504):
                time.sleep(min(0.05 * 2 ** attempt, 1.0))
                continue
            if r.status_code != 200:
                raise RuntimeError(f"Trino answered HTTP {r.status_code}: {r.text[:500]}")
            return r.json()
        raise RuntimeError(f"Trino stayed unavailable (HTTP {r.status_code}) for {url}")
