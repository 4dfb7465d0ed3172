"""Athena's query executions answered by Trino (Athena engine v3 is Trino), behind moto's Athena API.

Workgroups stay moto's (Terraform creates them). What moto lacks is done here:
  - StartQueryExecution runs the query on Trino, in the `awsdatacatalog` catalog and the context's database;
    ExecutionParameters bind as Athena binds them: PREPARE (the X-Trino-Prepared-Statement header) and
    EXECUTE ... USING the parameters, which are SQL literals;
  - states QUEUED (until Trino plans it, or while the local Trino is still starting) -> RUNNING -> SUCCEEDED,
    FAILED with Trino's error as Athena reports it ("ERROR_NAME: message"), CANCELLED on StopQueryExecution
    (the Trino query is cancelled);
  - the workgroup's BytesScannedCutoffPerQuery: Trino's own scan limit stops the query mid-scan, and a query that
    ended over the limit between Trino's checks fails too, both with Athena's reason;
  - statistics: DataScannedInBytes from Trino's physical input bytes, engine, queue, planning and total times;
  - GetQueryResults in Athena's ResultSet shape: a header row first for a SELECT, VarCharValue text (absent for
    NULL), ColumnInfo with Athena's type names, precision and scale, pages of MaxResults rows with NextToken;
  - the results as CSV at <output location>/<id>.csv in the emulator's S3, like Athena.
"""
from __future__ import annotations

import csv
import io
import json
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

import requests
from moto.athena import responses as athena_responses

from .trino import CATALOG, TrinoCancelled, TrinoClient, TrinoResult

CUTOFF_REASON = "Bytes scanned limit was exceeded"
# What a query says when Athena's engine is gone: the way back, for the CLI and the editor alike.
START_AGAIN = ("Start the emulated AWS again: lifecycle-lab lab up --aws (in the editor: Start Emulated AWS), "
               "or give it a running Trino coordinator (--trino-url)")
DDL_WORDS = ("ALTER", "CREATE", "DROP", "MSCK")
UTILITY_WORDS = ("DESCRIBE", "SHOW", "EXPLAIN")
PREPARED_NAME = "athena_query"
# Trino's query states before it starts running the plan; Athena calls them all QUEUED.
TRINO_QUEUED = {"QUEUED", "WAITING_FOR_RESOURCES", "DISPATCHING"}
# Athena's ColumnInfo precision for types without arguments (what Athena engine v3 reports).
FIXED_PRECISION = {"tinyint": 3, "smallint": 5, "integer": 10, "bigint": 19, "real": 17, "double": 17}
ERROR_CATEGORY = {"USER_ERROR": 2, "INTERNAL_ERROR": 1}


class AthenaError(Exception):
    """An InvalidRequestException for the caller (HTTP 400), with Athena's message."""


def statement_type(sql: str) -> str:
    words = sql.lstrip(" \t\r\n(").split(None, 1)
    first = words[0].upper() if words else ""
    if first in DDL_WORDS:
        return "DDL"
    if first in UTILITY_WORDS:
        return "UTILITY"
    return "DML"


def trino_statement(sql: str) -> str:
    """Athena takes a statement ending in a semicolon; Trino's parser does not."""
    return sql.strip().rstrip(";").rstrip()


def text_value(value: Any) -> Optional[str]:
    """A Trino JSON value as Athena's VarCharValue text (None for NULL)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(text_value(v) or "null" for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}={text_value(v) or 'null'}" for k, v in value.items()) + "}"
    return str(value)


def column_info(column: Dict[str, Any]) -> Dict[str, Any]:
    signature = column.get("typeSignature") or {}
    raw = signature.get("rawType") or column.get("type", "varchar").split("(")[0]
    args = [a.get("value") for a in signature.get("arguments", []) if a.get("kind") == "LONG"]
    precision, scale = FIXED_PRECISION.get(raw, 0), 0
    if raw == "decimal" and len(args) == 2:
        precision, scale = int(args[0]), int(args[1])
    elif raw in ("varchar", "char"):
        precision = int(args[0]) if args else 2147483647
    elif raw in ("timestamp", "time") and args:
        scale = int(args[0])
    return {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": column["name"],
            "Label": column["name"], "Type": raw, "Precision": precision, "Scale": scale, "Nullable": "UNKNOWN",
            "CaseSensitive": raw in ("varchar", "char")}


def split_s3(url: str) -> Tuple[str, str]:
    rest = url[len("s3://"):] if url.startswith("s3://") else url
    bucket, _, key = rest.partition("/")
    return bucket, key


class QueryExecution:
    def __init__(self, query: str, context: Dict[str, Any], workgroup: str, output_location: str,
                 parameters: Optional[List[str]], cutoff: Optional[int], config: Dict[str, Any]):
        self.id = str(uuid.uuid4())
        self.query = query
        self.context = context or {}
        self.workgroup = workgroup
        self.output_location = output_location
        self.parameters = parameters
        self.cutoff = cutoff
        self.config = config
        self.statement_type = statement_type(query)
        self.state = "QUEUED"
        self.reason: Optional[str] = None
        self.error: Optional[Dict[str, Any]] = None
        self.submitted = time.time()
        self.completed: Optional[float] = None
        self.trino_stats: Dict[str, Any] = {}
        self.trino_query_id = ""
        self.engine_done: Optional[float] = None
        self.columns: List[Dict[str, Any]] = []
        self.rows: List[List[Optional[str]]] = []
        self.stop_requested = threading.Event()
        self.lock = threading.Lock()

    def as_dict(self) -> Dict[str, Any]:
        stats = self.trino_stats
        now = self.completed or time.time()
        queued = int(stats.get("queuedTimeMillis", 0))
        engine = max(0, int(stats.get("elapsedTimeMillis", 0)) - queued)
        status: Dict[str, Any] = {"State": self.state, "SubmissionDateTime": self.submitted}
        if self.completed:
            status["CompletionDateTime"] = self.completed
        if self.reason:
            status["StateChangeReason"] = self.reason
        if self.error:
            status["AthenaError"] = self.error
        out: Dict[str, Any] = {
            "QueryExecutionId": self.id,
            "Query": self.query,
            "StatementType": self.statement_type,
            "ResultConfiguration": {"OutputLocation": f"{self.output_location.rstrip('/')}/{self.id}.csv"},
            "ResultReuseConfiguration": {"ResultReuseByAgeConfiguration": {"Enabled": False}},
            "QueryExecutionContext": self.context,
            "Status": status,
            "Statistics": {
                "EngineExecutionTimeInMillis": engine,
                "DataScannedInBytes": int(stats.get("physicalInputBytes", 0)),
                "TotalExecutionTimeInMillis": int((now - self.submitted) * 1000),
                "QueryQueueTimeInMillis": queued,
                "QueryPlanningTimeInMillis": int(stats.get("planningTimeMillis", 0)),
                "ServicePreProcessingTimeInMillis": 0,
                "ServiceProcessingTimeInMillis": int(((self.completed or now) - (self.engine_done or now)) * 1000),
                "ResultReuseInformation": {"ReusedPreviousResult": False},
            },
            "WorkGroup": self.workgroup,
            "EngineVersion": {"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
            "SubstatementType": "SELECT" if self.statement_type == "DML" else self.statement_type,
        }
        if self.parameters:
            out["ExecutionParameters"] = self.parameters
        return out


class AthenaOnTrino:
    """The executions; `trino_url()` blocks until Trino accepts queries (or raises why it cannot)."""

    def __init__(self, trino_url: Callable[[], str], s3_client_factory: Callable[[], Any]):
        self.trino_url = trino_url
        self.s3_client_factory = s3_client_factory
        self.executions: Dict[str, QueryExecution] = {}
        self.lock = threading.Lock()

    # -- API
    def start(self, query: str, context: Dict[str, Any], config: Dict[str, Any], workgroup_name: str,
              workgroup: Dict[str, Any], parameters: Optional[List[str]]) -> str:
        wg_config = workgroup.get("Configuration") or {}
        wg_output = (wg_config.get("ResultConfiguration") or {}).get("OutputLocation")
        asked = (config or {}).get("OutputLocation")
        output = wg_output if (wg_config.get("EnforceWorkGroupConfiguration") and wg_output) else (asked or wg_output)
        if not output:
            raise AthenaError("No output location provided. An output location is required either through the "
                              "Workgroup result configuration setting or as an API input.")
        cutoff = wg_config.get("BytesScannedCutoffPerQuery")
        execution = QueryExecution(query, context, workgroup_name, output, parameters,
                                   int(cutoff) if cutoff else None, config or {})
        with self.lock:
            self.executions[execution.id] = execution
        threading.Thread(target=self._run, args=(execution,), name=f"athena-{execution.id}", daemon=True).start()
        return execution.id

    def get(self, execution_id: str) -> QueryExecution:
        with self.lock:
            found = self.executions.get(execution_id)
        if found is None:
            raise AthenaError(f"QueryExecution {execution_id} was not found")
        return found

    def stop(self, execution_id: str) -> None:
        execution = self.get(execution_id)
        execution.stop_requested.set()
        with execution.lock:
            if execution.state in ("QUEUED", "RUNNING"):
                self._finish(execution, "CANCELLED", reason="Query was cancelled by the user.")

    def list_ids(self, workgroup: Optional[str]) -> List[str]:
        with self.lock:
            found = [e for e in self.executions.values() if not workgroup or e.workgroup == workgroup]
        return [e.id for e in sorted(found, key=lambda e: e.submitted, reverse=True)]

    def results(self, execution_id: str, max_results: Optional[int], next_token: Optional[str]) -> Dict[str, Any]:
        execution = self.get(execution_id)
        if execution.state in ("QUEUED", "RUNNING"):
            raise AthenaError(f"Query has not yet finished. Current state: {execution.state}")
        if execution.state != "SUCCEEDED":
            raise AthenaError(f"Query did not finish successfully. Final query state: {execution.state}"
                              + (f"\n{execution.reason}" if execution.reason else ""))
        limit = min(max(int(max_results or 1000), 1), 1000)
        header = [[c["Name"] for c in execution.columns]] if execution.statement_type == "DML" else []
        everything = header + execution.rows
        start = int(next_token or 0)
        page = everything[start:start + limit]
        out: Dict[str, Any] = {
            "UpdateCount": 0,
            "ResultSet": {
                "Rows": [{"Data": [{} if v is None else {"VarCharValue": v} for v in row]} for row in page],
                "ResultSetMetadata": {"ColumnInfo": execution.columns},
            },
        }
        if start + limit < len(everything):
            out["NextToken"] = str(start + limit)
        return out

    # -- execution
    def _run(self, execution: QueryExecution) -> None:
        try:
            url = self.trino_url()
        except Exception as err:  # Trino is not installed or failed to start: the query fails with why
            with execution.lock:
                self._fail(execution, f"GENERIC_INTERNAL_ERROR: the emulator's Trino is not available: {err}. "
                                      f"{START_AGAIN}", 1)
            return
        if execution.stop_requested.is_set():
            return
        schema = execution.context.get("Database")
        catalog = (execution.context.get("Catalog") or CATALOG).lower()
        sql, prepared = trino_statement(execution.query), None
        if execution.parameters:
            prepared = {PREPARED_NAME: sql}
            sql = f"EXECUTE {PREPARED_NAME} USING {', '.join(execution.parameters)}"
        session = {"query_max_scan_physical_bytes": f"{execution.cutoff}B"} if execution.cutoff else None

        def progress(response: Dict[str, Any]) -> None:
            stats = response.get("stats") or {}
            with execution.lock:
                execution.trino_stats = stats
                execution.trino_query_id = response.get("id", execution.trino_query_id)
                if execution.state == "QUEUED" and stats.get("state") not in TRINO_QUEUED:
                    execution.state = "RUNNING"

        try:
            result = TrinoClient(url).execute(sql, catalog=catalog, schema=schema, prepared=prepared,
                                              session=session, on_progress=progress,
                                              cancelled=execution.stop_requested.is_set)
        except TrinoCancelled:
            return
        except requests.ConnectionError as err:
            with execution.lock:
                if execution.state in ("QUEUED", "RUNNING"):
                    self._fail(execution, f"GENERIC_INTERNAL_ERROR: the emulator's Trino at {url} does not answer "
                                          f"({type(err).__name__}). {START_AGAIN}", 1)
            return
        except Exception as err:
            with execution.lock:
                if execution.state in ("QUEUED", "RUNNING"):
                    self._fail(execution, f"GENERIC_INTERNAL_ERROR: {err}", 1)
            return
        execution.engine_done = time.time()
        self._complete(execution, result)

    def _complete(self, execution: QueryExecution, result: TrinoResult) -> None:
        scanned = int(result.stats.get("physicalInputBytes", 0))
        with execution.lock:
            if execution.state not in ("QUEUED", "RUNNING"):
                return  # stopped meanwhile
            execution.trino_stats = result.stats
            if result.error:
                name = result.error.get("errorName", "")
                if name == "EXCEEDED_SCAN_LIMIT":
                    self._fail(execution, CUTOFF_REASON, 2)
                else:
                    self._fail(execution, f"{name}: {result.error.get('message', '')}".strip(": "),
                               ERROR_CATEGORY.get(result.error.get("errorType", ""), 3))
                return
            if execution.cutoff and scanned > execution.cutoff:
                self._fail(execution, CUTOFF_REASON, 2)
                return
            execution.columns = [column_info(c) for c in result.columns]
            execution.rows = [[text_value(v) for v in row] for row in result.rows]
        try:
            self._write_csv(execution)
        except Exception as err:
            with execution.lock:
                if execution.state in ("QUEUED", "RUNNING"):
                    bucket, _ = split_s3(execution.output_location)
                    self._fail(execution, f"Unable to verify/create output bucket {bucket}: {err}", 2)
            return
        with execution.lock:
            if execution.state in ("QUEUED", "RUNNING"):
                self._finish(execution, "SUCCEEDED")

    def _write_csv(self, execution: QueryExecution) -> None:
        text = io.StringIO()
        writer = csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n")
        if execution.statement_type == "DML":
            writer.writerow([c["Name"] for c in execution.columns])
        for row in execution.rows:
            # Athena leaves NULL unquoted and empty; csv.QUOTE_ALL would write "" for it.
            text.write(",".join("" if v is None else '"' + v.replace('"', '""') + '"' for v in row) + "\n")
        bucket, prefix = split_s3(execution.output_location)
        key = "/".join(p for p in (prefix.strip("/"), f"{execution.id}.csv") if p)
        self.s3_client_factory().put_object(Bucket=bucket, Key=key, Body=text.getvalue().encode("utf-8"))

    @staticmethod
    def _fail(execution: QueryExecution, message: str, category: int) -> None:
        execution.error = {"ErrorCategory": category, "ErrorMessage": message, "Retryable": False}
        AthenaOnTrino._finish(execution, "FAILED", reason=message)

    @staticmethod
    def _finish(execution: QueryExecution, state: str, reason: Optional[str] = None) -> None:
        execution.state = state
        execution.reason = reason
        execution.completed = time.time()


# ---- moto's Athena API on these executions ------------------------------------------------------------------

def install(engine: AthenaOnTrino) -> None:
    """Replaces moto's query-execution calls with ones answered by `engine` (workgroups stay moto's)."""
    response_class = athena_responses.AthenaResponse

    def error(message: str) -> Tuple[str, Dict[str, int]]:
        return json.dumps({"__type": "InvalidRequestException", "Message": message}), {"status": 400}

    def start_query_execution(self):
        workgroup_name = self._get_param("WorkGroup") or "primary"
        workgroup = self.athena_backend.get_work_group(workgroup_name)
        if not workgroup:
            return error(f"WorkGroup {workgroup_name} is not found.")
        try:
            execution_id = engine.start(self._get_param("QueryString"), self._get_param("QueryExecutionContext"),
                                        self._get_param("ResultConfiguration"), workgroup_name, workgroup,
                                        self._get_param("ExecutionParameters"))
        except AthenaError as err:
            return error(str(err))
        return json.dumps({"QueryExecutionId": execution_id})

    def get_query_execution(self):
        try:
            return json.dumps({"QueryExecution": engine.get(self._get_param("QueryExecutionId")).as_dict()})
        except AthenaError as err:
            return error(str(err))

    def batch_get_query_execution(self):
        found, missing = [], []
        for execution_id in self._get_param("QueryExecutionIds") or []:
            try:
                found.append(engine.get(execution_id).as_dict())
            except AthenaError as err:
                missing.append({"QueryExecutionId": execution_id, "ErrorMessage": str(err)})
        return json.dumps({"QueryExecutions": found, "UnprocessedQueryExecutionIds": missing})

    def get_query_results(self):
        try:
            return json.dumps(engine.results(self._get_param("QueryExecutionId"), self._get_param("MaxResults"),
                                             self._get_param("NextToken")))
        except AthenaError as err:
            return error(str(err))

    def stop_query_execution(self):
        try:
            engine.stop(self._get_param("QueryExecutionId"))
        except AthenaError as err:
            return error(str(err))
        return "{}"

    def list_query_executions(self):
        return json.dumps({"QueryExecutionIds": engine.list_ids(self._get_param("WorkGroup"))})

    response_class.start_query_execution = start_query_execution
    response_class.get_query_execution = get_query_execution
    response_class.batch_get_query_execution = batch_get_query_execution
    response_class.get_query_results = get_query_results
    response_class.stop_query_execution = stop_query_execution
    response_class.list_query_executions = list_query_executions
