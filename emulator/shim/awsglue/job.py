"""awsglue.job.Job: init and commit (bookmarks are not emulated)."""
from __future__ import annotations

from typing import Any, Dict, Optional


class Job:
    def __init__(self, glue_context: Any):
        self.glue_context = glue_context
        self.name: Optional[str] = None

    def init(self, job_name: str, args: Optional[Dict[str, str]] = None) -> None:
        self.name = job_name

    def commit(self) -> None:
        pass
