"""Issue 21's fast loop: one lake written in several Parquet layouts by Spark, each asked the dashboard's cards on the
emulated Athena (Trino), bytes scanned per card against the lake's size. No Glue run, no Terraform: the tables of a
lake already built (a DuckDB lake of the same model, e.g. .lab/bench/run/duckdb-x100/gold) are read once, cast to the
Glue job's types and written per layout, uploaded to the emulator's S3, catalogued in its Glue, and asked.

    npx tsc -p .                            # the cards' SQL is taken from out/src/core/dashboard/queries.js
    python3 -m emulator --detached &        # prints {"endpoint": ...}; Trino answers a little later
    python3 bench/lake_layout.py --endpoint http://127.0.0.1:PORT --lake .lab/bench/run/duckdb-x100/gold \
        [--layouts baseline,one_file,...] [--out bench/results/lake-layout-100.json]

The cards are bench/emulatedChain.ts's DASHBOARD_CARDS that carry a scan figure, compiled as AthenaEngine compiles
them (`?` and Athena's literal execution parameters). Figures go to bench/emulated.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from typing import Any, Callable, Dict

import subprocess

import boto3

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "glue"))
import glue_job  # noqa: E402
from glue_job import WRITE_ORDER  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The cards with a scan figure, as bench/emulatedChain.ts asks them (filterOptions and salesDetail are several queries).
CARDS_JS = r"""
const {QUERIES, productsParams} = require('./out/src/core/dashboard/queries.js');
const {compileParams} = require('./out/src/core/query/params.js');
const top = (startDate, endDate, country, productLine, n) => ({startDate, endDate, country, productLine, n});
const cards = [
  ['kpis', 'kpis', {}], ['salesByCountry', 'salesByCountryTop10', {}], ['salesByProductLine', 'salesByProductLine', {}],
  ['monthlySales', 'monthlySales', {}],
  ['topProducts all', 'topProducts', top('2003-01-01', '2005-12-31', '', '', 10)],
  ['topProducts USA Classic Cars', 'topProducts', top('2003-01-01', '2005-12-31', 'USA', 'Classic Cars', 5)],
  ['topProducts France 2004-03..09', 'topProducts', top('2004-03-01', '2004-09-30', 'France', '', 3)],
  ['products page 0', 'products', productsParams({page: 0, search: '', sortColumn: 'productName', descending: false})],
  ['products ford', 'products', productsParams({page: 0, search: 'ford', sortColumn: 'productCode', descending: true})],
];
const literal = (v) => typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
console.log(JSON.stringify(cards.map(([name, id, params]) => {
  const c = compileParams(QUERIES[id].sql('star-v1'), params, 'positional');
  return {name, sql: c.sql, params: c.values.map(literal)};
})));
"""

TABLES = ("dim_customers", "dim_locations", "dim_products", "fact_orders")
BUCKET = "lake-layout"
RESULTS = "s3://lake-layout-results/"

# The Glue job's column types (what Spark writes from glue/sql), so each layout stores what a Glue run stores.
TYPES = {
    "fact_orders": {"orderNumber": "int", "orderLineNumber": "smallint", "orderDate": "date", "requiredDate": "date",
                    "shippedDate": "date", "status": "string", "customerNumber": "int", "productCode": "string",
                    "locationKey": "int", "quantityOrdered": "int", "priceEach": "decimal(10,2)",
                    "orderAmount": "decimal(18,2)", "buyPrice": "decimal(10,2)", "MSRP": "decimal(10,2)"},
    "dim_customers": {"customerNumber": "int", "creditLimit": "decimal(10,2)"},
    "dim_locations": {"locationKey": "int"},
    "dim_products": {},
}


def fact_sorted(df):
    return df.orderBy(*WRITE_ORDER["fact_orders"])


# Each layout: name -> (what it does to fact_orders before the write, the writer's options).
LAYOUTS: Dict[str, Callable[[Any], Any]] = {}


def layout(name):
    def register(fn):
        LAYOUTS[name] = fn
        return fn
    return register


@layout("unsorted")
def _unsorted(df):
    return df.repartition(4), {}


@layout("baseline")  # the job before this issue: orderBy over the session's shuffle partitions (4 on local[2])
def _baseline(df):
    return fact_sorted(df), {}


@layout("one_file")
def _one_file(df):
    return fact_sorted(df).coalesce(1), {}


@layout("one_file_rg1m")
def _one_file_rg1m(df):
    return fact_sorted(df).coalesce(1), {"parquet.block.size": str(1 << 20)}


@layout("one_file_rg4m")
def _one_file_rg4m(df):
    return fact_sorted(df).coalesce(1), {"parquet.block.size": str(4 << 20)}


@layout("one_file_v2")
def _one_file_v2(df):
    return fact_sorted(df).coalesce(1), {"parquet.writer.version": "v2"}


@layout("one_file_nodict")
def _one_file_nodict(df):
    return fact_sorted(df).coalesce(1), {"parquet.enable.dictionary": "false"}


@layout("one_file_v2_nodict")
def _one_file_v2_nodict(df):
    return fact_sorted(df).coalesce(1), {"parquet.writer.version": "v2", "parquet.enable.dictionary": "false"}


@layout("one_file_num_nodict")
def _one_file_num_nodict(df):
    return fact_sorted(df).coalesce(1), {"parquet.enable.dictionary#orderNumber": "false"}


@layout("one_file_v2_keys_nodict")
def _one_file_v2_keys_nodict(df):
    return fact_sorted(df).coalesce(1), {"parquet.writer.version": "v2", "parquet.enable.dictionary#orderNumber": "false",
                                         "parquet.enable.dictionary#customerNumber": "false",
                                         "parquet.enable.dictionary#orderAmount": "false"}


@layout("one_file_v2_num_nodict")
def _one_file_v2_num_nodict(df):
    return fact_sorted(df).coalesce(1), {"parquet.writer.version": "v2", "parquet.enable.dictionary#orderNumber": "false"}


@layout("sorted_v2_num_nodict")  # the session's 4 range partitions, as the baseline
def _sorted_v2_num_nodict(df):
    return fact_sorted(df), {"parquet.writer.version": "v2", "parquet.enable.dictionary#orderNumber": "false"}


@layout("job")  # what glue_job.py writes now
def _job(df):
    return glue_job.laid_out(df, "fact_orders", {"orderdetails": df.count()}), glue_job.WRITE_OPTIONS["fact_orders"]


@layout("job_c11c8e0")  # the first choice (commit c11c8e0): one file, orderNumber without a dictionary
def _job_c11c8e0(df):
    job, _ = _job(df)
    return job, {"parquet.enable.dictionary#orderNumber": "false"}


@layout("job_rg16m")
def _job_rg16m(df):
    job, options = _job_c11c8e0(df)
    return job, {**options, "parquet.block.size": str(16 << 20)}


@layout("job_v2")
def _job_v2(df):
    job, options = _job_c11c8e0(df)
    return job, {**options, "parquet.writer.version": "v2"}


@layout("job_dict8m")
def _job_dict8m(df):
    job, options = _job_c11c8e0(df)
    return job, {**options, "parquet.dictionary.page.size": str(8 << 20)}


@layout("job_v2_dict8m")
def _job_v2_dict8m(df):
    job, options = _job_c11c8e0(df)
    return job, {**options, "parquet.writer.version": "v2", "parquet.dictionary.page.size": str(8 << 20)}


@layout("job_dict")  # pages of up to 1M rows: the first page decides dictionary or not, 20,000 rows (the default) did not
def _job_dict(df):
    job, options = _job_c11c8e0(df)
    return job, {**options, "parquet.dictionary.page.size": str(8 << 20), "parquet.page.row.count.limit": "1000000"}


@layout("job_dict_page4m")
def _job_dict_page4m(df):
    job, options = _job_dict(df)
    return job, {**options, "parquet.page.size": str(4 << 20)}


@layout("job_dict_rows100k")
def _job_dict_rows100k(df):
    job, options = _job_dict(df)
    return job, {**options, "parquet.page.row.count.limit": "100000"}


@layout("by_product")
def _by_product(df):
    return df.orderBy("productCode", "orderDate", "orderNumber").coalesce(1), {}


def parquet_columns(spark, path: str) -> Dict[str, Any]:
    """Per column: compressed bytes over all row groups; and the row groups' count, from the files' footers."""
    jvm = spark._jvm
    conf = spark._jsc.hadoopConfiguration()
    sizes: Dict[str, int] = {}
    row_groups = 0
    files = 0
    for name in sorted(os.listdir(path)):
        if not name.endswith(".parquet"):
            continue
        files += 1
        hpath = jvm.org.apache.hadoop.fs.Path(os.path.join(path, name))
        footer = jvm.org.apache.parquet.hadoop.ParquetFileReader.readFooter(conf, hpath)
        for block in footer.getBlocks():
            row_groups += 1
            for col in block.getColumns():
                key = col.getPath().toDotString()
                sizes[key] = sizes.get(key, 0) + int(col.getTotalSize())
    return {"files": files, "rowGroups": row_groups, "columns": sizes}


def dir_bytes(path: str) -> int:
    return sum(os.path.getsize(os.path.join(path, n)) for n in os.listdir(path) if n.endswith(".parquet"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--lake", required=True, help="a lake's gold/ folder (one sub-folder of Parquet per table)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--out")
    args = parser.parse_args()
    cards = json.loads(subprocess.run(["node", "-e", CARDS_JS], cwd=ROOT, check=True, capture_output=True,  # noqa: S603,S607
                                      text=True).stdout)

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("lake-layout")
             .config("spark.sql.shuffle.partitions", "4").config("spark.ui.enabled", "false")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    frames = {}
    for table in TABLES:
        df = spark.read.parquet(os.path.join(args.lake, table))
        casts = TYPES[table]
        df = df.selectExpr(*[f"cast(`{c}` as {casts[c]}) as `{c}`" if c in casts else f"`{c}`" for c in df.columns])
        frames[table] = df.persist()
        frames[table].count()

    kw = dict(endpoint_url=args.endpoint, region_name="us-east-1", aws_access_key_id="testing",
              aws_secret_access_key="testing")  # noqa: S106 - the emulator's fake keys
    s3, glue, athena = boto3.client("s3", **kw), boto3.client("glue", **kw), boto3.client("athena", **kw)
    for bucket in (BUCKET, RESULTS[5:].strip("/")):
        try:
            s3.create_bucket(Bucket=bucket)
        except s3.exceptions.BucketAlreadyOwnedByYou:
            pass

    work = tempfile.mkdtemp(prefix="lake-layout-")
    report = []
    try:
        for name in args.layouts.split(","):
            database = f"layout_{name}"
            tables = {}
            # A layout's prefix holds only this run's files (an earlier run's, of another lake, would be read too).
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=f"{name}/"):
                for obj in page.get("Contents", []):
                    s3.delete_object(Bucket=BUCKET, Key=obj["Key"])
            for table in TABLES:
                df, options = (LAYOUTS[name](frames[table]) if table == "fact_orders" else (frames[table], {}))
                local = os.path.join(work, name, table)
                writer = df.write.option("compression", "zstd")
                for k, v in options.items():
                    writer = writer.option(k, v)
                writer.parquet(local)
                info = parquet_columns(spark, local)
                info["bytes"] = dir_bytes(local)
                tables[table] = info
                for fname in os.listdir(local):
                    if fname.endswith(".parquet"):
                        s3.upload_file(os.path.join(local, fname), BUCKET, f"{name}/{table}/{fname}")
            try:
                glue.delete_database(Name=database)
            except glue.exceptions.EntityNotFoundException:
                pass
            glue.create_database(DatabaseInput={"Name": database})
            for table in TABLES:
                schema = spark.read.parquet(os.path.join(work, name, table)).schema
                glue.create_table(DatabaseName=database, TableInput={
                    "Name": table, "TableType": "EXTERNAL_TABLE", "Parameters": {"classification": "parquet"},
                    "StorageDescriptor": {
                        "Columns": [{"Name": f.name, "Type": f.dataType.simpleString()} for f in schema.fields],
                        "Location": f"s3://{BUCKET}/{name}/{table}/",
                        "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                        "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                        "SerdeInfo": {"SerializationLibrary":
                                      "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}})
            lake = sum(t["bytes"] for t in tables.values())
            scans = []
            for card in cards:
                request = {"QueryString": card["sql"], "QueryExecutionContext": {"Database": database},
                           "ResultConfiguration": {"OutputLocation": RESULTS}}
                if card["params"]:
                    request["ExecutionParameters"] = card["params"]
                qid = athena.start_query_execution(**request)["QueryExecutionId"]
                while True:
                    ex = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]
                    state = ex["Status"]["State"]
                    if state in ("SUCCEEDED", "FAILED", "CANCELLED"):
                        break
                    time.sleep(0.3)
                if state != "SUCCEEDED":
                    raise RuntimeError(f"{name} {card['name']}: {ex['Status'].get('StateChangeReason')}")
                rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
                scans.append({"card": card["name"], "bytes": int(ex["Statistics"]["DataScannedInBytes"]),
                              "firstRow": [d.get("VarCharValue") for d in rows[1]["Data"]] if len(rows) > 1 else None})
            total = sum(s["bytes"] for s in scans)
            entry = {"layout": name, "lake": lake, "tables": tables, "cards": scans, "scanned": total,
                     "ofLake": total / lake, "load": os.getloadavg()}
            report.append(entry)
            fact = tables["fact_orders"]
            print(f"{name}: lake {lake} B (fact {fact['bytes']} B, {fact['files']} files, {fact['rowGroups']} row "
                  f"groups); dashboard {total} B = {total / lake:.2f}x the lake; load {os.getloadavg()[0]:.1f}",
                  flush=True)
            for s in scans:
                print(f"    {s['card']:<34} {s['bytes']:>10} B {100 * s['bytes'] / lake:6.1f} %  {s['firstRow']}",
                      flush=True)
            print("    fact columns: " + ", ".join(f"{k} {v}" for k, v in
                                                  sorted(fact["columns"].items(), key=lambda kv: -kv[1])), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.out:
            with open(args.out, "w", encoding="utf-8") as f:
                json.dump(report, f, indent=2)
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
