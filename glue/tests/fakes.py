"""Recording fakes of the AWS clients the Glue adapter uses (boto3's method names and shapes), and an in-memory
source for run_job."""
import datetime
import decimal
import io
import re
from typing import Any, Dict, List


class ClientError(Exception):
    """Shaped like botocore's ClientError: the code is in response['Error']['Code']."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(f"An error occurred ({code}): {message}")
        self.response = {"Error": {"Code": code, "Message": message}}


class Recorder:
    def __init__(self):
        self.calls: List[tuple] = []

    def record(self, name: str, **kwargs):
        self.calls.append((name, kwargs))

    def names(self) -> List[str]:
        return [c[0] for c in self.calls]


class FakeGlue(Recorder):
    def __init__(self, connections: Dict[str, Dict[str, str]] = None, tables: Dict[str, Dict] = None):
        super().__init__()
        self.connections = connections or {}
        self.tables = dict(tables or {})

    def get_connection(self, Name, HidePassword=True):
        self.record("get_connection", Name=Name, HidePassword=HidePassword)
        if Name not in self.connections:
            raise ClientError("EntityNotFoundException", f"Connection {Name} not found")
        return {"Connection": {"Name": Name, "ConnectionType": "JDBC", "ConnectionProperties": self.connections[Name]}}

    def get_table(self, DatabaseName, Name):
        self.record("get_table", DatabaseName=DatabaseName, Name=Name)
        if (DatabaseName, Name) not in self.tables:
            raise ClientError("EntityNotFoundException", f"Table {Name} not found")
        return {"Table": self.tables[(DatabaseName, Name)]}

    def create_table(self, DatabaseName, TableInput):
        self.record("create_table", DatabaseName=DatabaseName, TableInput=TableInput)
        self.tables[(DatabaseName, TableInput["Name"])] = TableInput

    def update_table(self, DatabaseName, TableInput):
        self.record("update_table", DatabaseName=DatabaseName, TableInput=TableInput)
        self.tables[(DatabaseName, TableInput["Name"])] = TableInput


class FakeSecrets(Recorder):
    def __init__(self, secrets: Dict[str, str]):
        super().__init__()
        self.secrets = secrets

    def get_secret_value(self, SecretId):
        self.record("get_secret_value", SecretId=SecretId)
        if SecretId not in self.secrets:
            raise ClientError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
        return {"SecretString": self.secrets[SecretId]}


class _Body(io.BytesIO):
    def iter_chunks(self, size):
        while True:
            chunk = self.read(size)
            if not chunk:
                return
            yield chunk


class _Paginator:
    def __init__(self, s3):
        self.s3 = s3

    def paginate(self, Bucket, Prefix="", Delimiter=None):
        # Two pages when there are many keys, to exercise pagination.
        keys = sorted(k for (b, k) in self.s3.objects if b == Bucket and k.startswith(Prefix))
        if Delimiter:
            prefixes = sorted({Prefix + k[len(Prefix):].split(Delimiter, 1)[0] + Delimiter
                               for k in keys if Delimiter in k[len(Prefix):]})
            yield {"CommonPrefixes": [{"Prefix": p} for p in prefixes]}
            return
        half = len(keys) // 2 if len(keys) > 3 else len(keys)
        for chunk in (keys[:half], keys[half:]):
            if chunk:
                yield {"Contents": [{"Key": k, "Size": len(self.s3.objects[(Bucket, k)])} for k in chunk]}


class FakeS3(Recorder):
    def __init__(self, objects: Dict[tuple, bytes] = None):
        super().__init__()
        self.objects = dict(objects or {})

    def get_paginator(self, name):
        assert name == "list_objects_v2"
        return _Paginator(self)

    def get_object(self, Bucket, Key):
        self.record("get_object", Bucket=Bucket, Key=Key)
        return {"Body": _Body(self.objects[(Bucket, Key)])}

    def put_object(self, Bucket, Key, Body, **kwargs):
        self.record("put_object", Bucket=Bucket, Key=Key)
        self.objects[(Bucket, Key)] = Body

    def delete_objects(self, Bucket, Delete):
        self.record("delete_objects", Bucket=Bucket, Keys=[o["Key"] for o in Delete["Objects"]])
        for o in Delete["Objects"]:
            self.objects.pop((Bucket, o["Key"]), None)


# ------------------------------------------------------------------------------------------------------------
# A small classicmodels: two customers share a postal code in different cities (the lab's fan-out case).

D = decimal.Decimal
DAY = datetime.date

SOURCE_ROWS: Dict[str, List[tuple]] = {
    "productlines": [("Classic Cars", "Old cars"), ("Planes", "Flying things")],
    "products": [
        ("S10_1678", "1969 Harley", "Classic Cars", "1:10", "Min Lin", "desc", D("48.81"), D("95.70")),
        ("S18_1749", "1917 Grand", "Classic Cars", "1:18", "Welly", "desc", D("86.70"), D("170.00")),
        ("S24_1785", "1928 British", "Planes", "1:24", "Second Gear", "desc", D("52.66"), D("109.42")),
    ],
    "customers": [
        (103, "Atelier", "Schmitt", "Carine", "40.32.2555", "54, rue Royale", None, "Nantes", None, "44000",
         "France", D("21000.00")),
        (112, "Signal", "King", "Jean", "7025551838", "8489 Strong St.", None, "Las Vegas", "NV", "83030", "USA",
         D("71800.00")),
        (114, "Australian", "Ferguson", "Peter", "03 9520 4555", "636 St Kilda", "Level 3", "Melbourne",
         "Victoria", "44000", "Australia", D("117300.00")),
    ],
    "orders": [
        (10100, DAY(2003, 1, 6), DAY(2003, 1, 13), DAY(2003, 1, 10), "Shipped", 103),
        (10101, DAY(2003, 1, 9), DAY(2003, 1, 18), DAY(2003, 1, 11), "Shipped", 112),
        (10102, DAY(2003, 1, 10), DAY(2003, 1, 18), None, "In Process", 114),
    ],
    "orderdetails": [
        (10100, "S10_1678", 30, D("95.70"), 1),
        (10100, "S18_1749", 50, D("136.00"), 2),
        (10101, "S24_1785", 25, D("108.06"), 1),
        (10102, "S10_1678", 39, D("95.55"), 1),
        (10102, "S24_1785", 41, D("102.17"), 2),
    ],
}
# 30*95.70 + 50*136.00 + 25*108.06 + 39*95.55 + 41*102.17
ORDER_TOTAL = "20287.92"


def source_total() -> str:
    total = sum(q * p for _, _, q, p, _ in SOURCE_ROWS["orderdetails"])
    return f"{total:.2f}"


def sql_literal(value, spark_type: str) -> str:
    if value is None:
        return f"cast(null as {spark_type})"
    if isinstance(value, datetime.date):
        return f"date'{value.isoformat()}'"
    if isinstance(value, int | decimal.Decimal):
        return f"cast('{value}' as {spark_type})"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def register_source_rows(spark) -> None:
    """The source rows as global temp views src_<table>, written as SQL VALUES: the rows then live in the JVM
    (a DataFrame made from Python rows goes through Python workers on every scan, which is slow)."""
    from glue_job import SOURCE_TABLES, SPARK_TYPES
    for name, columns in SOURCE_TABLES:
        types = [SPARK_TYPES[t] for _, t in columns]
        rows = ", ".join("(" + ", ".join(sql_literal(v, t) for v, t in zip(row, types, strict=True)) + ")"
                         for row in SOURCE_ROWS[name])
        cols = ", ".join(c for c, _ in columns)
        spark.sql(f"select * from values {rows} as t({cols})").createOrReplaceGlobalTempView(f"src_{name}")


class MemoryAdapter:
    """An Adapter over in-memory source rows and a local folder as the lake; records what it was asked to do."""

    engine_name = "spark"

    def __init__(self, spark, lake_dir: str, sql_files: Dict[str, str], source_error: Exception = None):
        from job_common import SourceInfo
        self.lake_dir = lake_dir
        self._sql = sql_files
        self.source_error = source_error
        self.info = SourceInfo("db.test", 3306, "classicmodels")
        self.published: List[Any] = []
        self.discarded: List[str] = []
        self.cleaned: List[str] = []
        self.queries: List[str] = []
        register_source_rows(spark)

    def sql_files(self):
        return self._sql

    def source_info(self):
        return self.info

    def read_source(self, spark, query: str):
        self.queries.append(query)
        if self.source_error:
            raise self.source_error
        # The job's MySQL queries, in Spark SQL: tables from the global views, `as char` as string.
        spark_sql = re.sub(r"`(productlines|products|customers|orders|orderdetails)`", r"global_temp.src_\1", query)
        return spark.sql(spark_sql.replace(" as char)", " as string)"))

    def run_location(self, table, run_id):
        return f"{self.lake_dir}/gold/{table}/run={run_id}"

    def list_parts(self, location):
        import os
        return [{"file": n, "bytes": os.path.getsize(os.path.join(location, n)), "sha256": "x"}
                for n in sorted(os.listdir(location)) if n.endswith(".parquet")]

    def publish(self, run_id, tables, manifest):
        self.published.append((run_id, [t.name for t in tables], manifest))

    def clean_up(self, run_id, tables):
        self.cleaned.append(run_id)

    def discard(self, run_id, tables):
        self.discarded.append(run_id)
