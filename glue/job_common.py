"""What the parts of the Glue job share: its error, the adapter seam between the job and where it runs (the Adapter
interface and the records it passes), the model's id, and small text helpers.

Shipped beside glue_job.py: terraform/glue.tf names these modules in the job's --extra-py-files.
"""
from __future__ import annotations

import datetime
import decimal
import math
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

# The model's id, in every manifest and catalog table it publishes (readers check it).
MODEL = "star-v1"


class JobError(Exception):
    """A failure with a message for the person running the job; the run publishes nothing."""


def first_line(err: BaseException) -> str:
    text = str(err).strip()
    lines = text.splitlines()
    # A Spark call that failed in the JVM (py4j) says first only which call it was ("An error occurred while calling
    # o46.load."); the Java exception, e.g. the JDBC driver's "Communications link failure", is the line after it.
    if lines and lines[0].startswith("An error occurred while calling"):
        cause = next((line.lstrip(": ").strip() for line in lines[1:] if line.strip(": \t")), "")
        if cause:
            return f"{cause} ({lines[0].rstrip('.')})"
    return lines[0] if lines else type(err).__name__


def shipped_file(name: str, module_file: str) -> str:
    """A file shipped with the job: beside the module that reads it (a checkout, local runs), else in the working
    directory, where Glue copies the job's --extra-files (terraform/glue.tf); where it is in neither, the former."""
    beside = os.path.join(os.path.dirname(os.path.abspath(module_file)), name)
    for path in (beside, os.path.join(os.getcwd(), name)):
        if os.path.isfile(path):
            return path
    return beside


def json_value(value: Any) -> Any:
    """A Spark value as the editor's engines give it in a manifest: numbers as numbers (finite ones; decimals too, as
    the local engine records them), dates as ISO text, anything else as text."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def strip_trailing_semicolon(sql: str) -> str:
    return re.sub(r";\s*$", "", sql.strip()).strip()


@dataclass
class SourceInfo:
    host: str
    port: int
    database: str


@dataclass
class WrittenTable:
    name: str
    location: str
    rows: int
    columns: List[Tuple[str, str]]
    parts: List[Dict[str, Any]] = field(default_factory=list)


class Adapter:
    """What the job needs from where it runs. GlueAdapter (below) and LocalAdapter (local_run.py) implement it."""

    engine_name = "spark"

    def sql_files(self) -> Dict[str, str]:
        """Model files: file name -> SQL text."""
        raise NotImplementedError

    def source_info(self) -> SourceInfo:
        raise NotImplementedError

    def read_source(self, spark, query: str):
        """A DataFrame of a SQL query run on the source database."""
        raise NotImplementedError

    def run_location(self, table: str, run_id: str) -> str:
        """Where this run writes the table (a prefix no reader uses yet)."""
        raise NotImplementedError

    def list_parts(self, location: str) -> List[Dict[str, Any]]:
        """The Parquet files under a written location: [{file, bytes, sha256}] (file relative to the table folder)."""
        raise NotImplementedError

    def publish(self, run_id: str, tables: List[WrittenTable], manifest: Dict[str, Any]) -> None:
        """Makes the run's tables what readers see, all together, then writes the manifest."""
        raise NotImplementedError

    def clean_up(self, run_id: str, tables: List[str]) -> None:
        """After a successful publish: removes older runs' files."""

    def discard(self, run_id: str, tables: List[str]) -> None:
        """After a failure: removes what the run wrote (nothing readers see)."""
