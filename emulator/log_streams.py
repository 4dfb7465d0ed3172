"""A Glue run's stdout and stderr as CloudWatch Logs streams (named by the run id), sent while the job runs."""
from __future__ import annotations

import subprocess
import threading
import time
from typing import Any, Deque, Dict, List, Optional


class CloudWatchStream:
    """Lines of one process stream into a CloudWatch Logs stream, sent in batches."""

    def __init__(self, logs_client: Any, group: str, stream: str):
        self.logs = logs_client
        self.group = group
        self.stream = stream
        self.pending: List[Dict[str, Any]] = []
        self.lock = threading.Lock()
        try:
            self.logs.create_log_group(logGroupName=group)
        except self.logs.exceptions.ResourceAlreadyExistsException:
            pass
        self.logs.create_log_stream(logGroupName=group, logStreamName=stream)

    def add(self, line: str) -> None:
        with self.lock:
            self.pending.append({"timestamp": int(time.time() * 1000), "message": line})

    def flush(self) -> None:
        with self.lock:
            batch, self.pending = self.pending, []
        for i in range(0, len(batch), 5000):
            self.logs.put_log_events(logGroupName=self.group, logStreamName=self.stream, logEvents=batch[i:i + 5000])


def pump(pipe: Any, stream: CloudWatchStream, tail: Optional[Deque[str]]) -> None:
    """Each line of a process pipe into `stream` (and the last ones into `tail`, for the error message)."""
    for raw in iter(pipe.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        stream.add(line)
        if tail is not None:
            tail.append(line)
    pipe.close()

def flush_every_second(process: subprocess.Popen, streams: List[CloudWatchStream]) -> None:
    """The logs of a running job appear while it runs (the editor follows them), not only at its end."""
    while process.poll() is None:
        time.sleep(1.0)
        for stream in streams:
            try:
                stream.flush()
            except Exception:  # noqa: S110 - the final flush retries and reports
                pass
