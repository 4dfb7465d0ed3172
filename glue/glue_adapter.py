"""Where the job runs on AWS Glue: the source read through the Glue connection (its secret in Secrets Manager when
the connection names one), the lake written to S3, and publishing through the Glue Data Catalog."""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Dict, List, Optional, Tuple

from job_common import MODEL, Adapter, JobError, SourceInfo, WrittenTable, first_line

# Run prefixes kept per table after a successful publish (the new one and the one before it).
KEEP_RUNS = 2


def split_s3(url: str) -> Tuple[str, str]:
    """s3://bucket/some/prefix -> ("bucket", "some/prefix") without a trailing slash."""
    rest = url[len("s3://"):]
    bucket, _, key = rest.partition("/")
    return bucket, key.strip("/")


def join_key(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


def parse_jdbc_url(url: str) -> Tuple[str, int, str]:
    """jdbc:mysql://host:3306/db?x=y -> (host, port, db)."""
    m = re.match(r"^jdbc:(?:mysql|mariadb)://([^:/?]+)(?::(\d+))?(?:/([^?]*))?", url)
    if not m:
        raise JobError(f"The Glue connection's JDBC_CONNECTION_URL is not a jdbc:mysql:// URL: {url!r}.")
    return m.group(1), int(m.group(2) or 3306), m.group(3) or ""


class GlueAdapter(Adapter):
    """Reads the source through the Glue connection's properties (its network path is the job's connection),
    writes to S3 and publishes through the Glue Data Catalog."""

    def __init__(self, args: Dict[str, str], glue_client, s3_client, secrets_client=None):
        self.args = args
        self.glue = glue_client
        self.s3 = s3_client
        self.secrets = secrets_client
        self.lake_bucket, self.lake_prefix = split_s3(args["lake_path"])
        self._jdbc: Optional[Dict[str, str]] = None

    # -- source
    def _connection(self) -> Dict[str, str]:
        if self._jdbc is not None:
            return self._jdbc
        name = self.args["connection_name"]
        try:
            conn = self.glue.get_connection(Name=name, HidePassword=False)["Connection"]
        except Exception as err:
            raise JobError(f"The Glue connection {name!r} could not be read: {first_line(err)}") from err
        props = conn.get("ConnectionProperties", {})
        url = props.get("JDBC_CONNECTION_URL", "")
        host, port, _ = parse_jdbc_url(url)
        if props.get("SECRET_ID"):
            if self.secrets is None:
                raise JobError(f"The Glue connection {name!r} uses a secret but no Secrets Manager client was given.")
            try:
                secret = json.loads(self.secrets.get_secret_value(SecretId=props["SECRET_ID"])["SecretString"])
                user, password = secret["username"], secret["password"]
            except Exception as err:
                raise JobError(f"The secret of the Glue connection {name!r} could not be read "
                               f"(expected JSON with username and password): {first_line(err)}") from err
        else:
            user, password = props.get("USERNAME", ""), props.get("PASSWORD", "")
        if not user:
            raise JobError(f"The Glue connection {name!r} has no USERNAME and no SECRET_ID.")
        db = self.args["source_database"]
        self._jdbc = {"url": f"jdbc:mysql://{host}:{port}/{db}", "host": host, "port": str(port),
                      "user": user, "password": password}
        return self._jdbc

    def source_info(self) -> SourceInfo:
        c = self._connection()
        return SourceInfo(c["host"], int(c["port"]), self.args["source_database"])

    def read_source(self, spark, query: str):
        c = self._connection()
        return (spark.read.format("jdbc").option("url", c["url"]).option("driver", "com.mysql.cj.jdbc.Driver")
                .option("user", c["user"]).option("password", c["password"]).option("query", query).load())

    def sql_files(self) -> Dict[str, str]:
        bucket, prefix = split_s3(self.args["sql_prefix"])
        files = {}
        try:
            for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
                for obj in page.get("Contents", []):
                    rel = obj["Key"][len(prefix) + 1:] if prefix else obj["Key"]
                    # The model files, and the declared data tests beside them.
                    if not (("/" not in rel and rel.endswith(".sql")) or rel == "schema.yml"
                            or re.match(r"^tests/[^/]+\.sql$", rel)):
                        continue
                    files[rel] = self.s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].read().decode("utf-8")
        except Exception as err:
            where = self.args["sql_prefix"]
            raise JobError(f"The model files under {where} could not be read: {first_line(err)}") from err
        return files

    # -- lake
    def _table_key(self, table: str) -> str:
        return join_key(self.lake_prefix, "gold", table)

    def run_location(self, table: str, run_id: str) -> str:
        return f"s3://{self.lake_bucket}/{self._table_key(table)}/run={run_id}/"

    def _keys(self, prefix: str) -> List[Dict[str, Any]]:
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.lake_bucket, Prefix=prefix):
            out.extend(page.get("Contents", []))
        return out

    def list_parts(self, location: str) -> List[Dict[str, Any]]:
        bucket, prefix = split_s3(location)
        table_prefix = prefix.rsplit("/", 1)[0]
        parts = []
        for obj in self._keys(prefix + "/"):
            if not obj["Key"].endswith(".parquet"):
                continue
            digest = hashlib.sha256()
            for chunk in self.s3.get_object(Bucket=bucket, Key=obj["Key"])["Body"].iter_chunks(1 << 20):
                digest.update(chunk)
            parts.append({"file": obj["Key"][len(table_prefix) + 1:], "bytes": int(obj["Size"]),
                          "sha256": digest.hexdigest()})
        return sorted(parts, key=lambda p: p["file"])

    def publish(self, run_id: str, tables: List[WrittenTable], manifest: Dict[str, Any]) -> None:
        database = self.args["catalog_database"]
        for table in tables:
            table_input = catalog_table_input(table, run_id)
            try:
                self.glue.get_table(DatabaseName=database, Name=table.name)
                exists = True
            except Exception as err:
                if error_code(err) != "EntityNotFoundException":
                    raise JobError(f"The catalog table {database}.{table.name} could not be read: "
                                   f"{first_line(err)}") from err
                exists = False
            try:
                if exists:
                    self.glue.update_table(DatabaseName=database, TableInput=table_input)
                else:
                    self.glue.create_table(DatabaseName=database, TableInput=table_input)
            except Exception as err:
                raise JobError(f"The catalog table {database}.{table.name} could not be "
                               f"{'updated' if exists else 'created'}: {first_line(err)}") from err
        self.s3.put_object(Bucket=self.lake_bucket, Key=join_key(self.lake_prefix, "gold", "_manifest.json"),
                           Body=json.dumps(manifest, indent=2).encode("utf-8"), ContentType="application/json")

    def _run_prefixes(self, table: str) -> List[str]:
        prefix = self._table_key(table) + "/"
        found = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.lake_bucket, Prefix=prefix,
                                                                      Delimiter="/"):
            for common in page.get("CommonPrefixes", []):
                name = common["Prefix"][len(prefix):].strip("/")
                if name.startswith("run="):
                    found.append(name[len("run="):])
        return sorted(found)

    def _delete_prefix(self, prefix: str) -> None:
        keys = [{"Key": o["Key"]} for o in self._keys(prefix)]
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.lake_bucket, Delete={"Objects": keys[i:i + 1000], "Quiet": True})

    def clean_up(self, run_id: str, tables: List[str]) -> None:
        for table in tables:
            runs = self._run_prefixes(table)
            # Run ids start with their UTC time, so the sort order is the run order. Kept: this run, the one
            # before it, and any later one (a run that started after this one is not this run's to remove).
            keep = set(sorted(r for r in runs if r <= run_id)[-KEEP_RUNS:]) | {run_id} | {r for r in runs if r > run_id}
            for old in runs:
                if old not in keep:
                    self._delete_prefix(f"{self._table_key(table)}/run={old}/")

    def discard(self, run_id: str, tables: List[str]) -> None:
        for table in tables:
            try:
                self._delete_prefix(f"{self._table_key(table)}/run={run_id}/")
            except Exception as err:  # nothing reads these files; a leftover only costs storage
                print(f"glue_job: warning: could not remove the failed run's files: {first_line(err)}")


def error_code(err: BaseException) -> str:
    return str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))


def catalog_table_input(table: WrittenTable, run_id: str) -> Dict[str, Any]:
    return {
        "Name": table.name,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE", "lifecycle_lab_run_id": run_id,
                       "lifecycle_lab_model": MODEL},
        "StorageDescriptor": {
            "Columns": [{"Name": name, "Type": type_} for name, type_ in table.columns],
            "Location": table.location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
        },
    }
