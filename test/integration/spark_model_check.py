"""Runs the star-schema model files through Spark SQL (pyspark), for test/integration/sparkSql.test.ts.

Input: a JSON spec path as argv[1]:
  {"tables": [{"name", "columns": [{"name", "type"}]}],      # source schema, staging types (INTEGER, DECIMAL(10,2), ...)
   "models": [{"table", "sql"}],                              # in run order; each result is registered by name
   "data": {"<table>": [[...row...], ...]} | null,            # optional source rows to run the model over
   "extra": [{"name", "sql"}]}                                # more statements checked over empty views (negative controls)
Output (stdout, one JSON object): {"spark": version, "empty": [{"table", "ok", "error", "columns"}],
  "extra": [{"name", "ok", "error"}], "data": {"fact_rows", "order_amount_total", "by_product_line"} | null}
"""
import datetime
import decimal
import json
import sys

from pyspark.sql import SparkSession
from pyspark.sql import types as T


def spark_type(staging_type):
    t = staging_type.upper()
    if t == "INTEGER":
        return T.IntegerType()
    if t == "SMALLINT":
        return T.ShortType()
    if t == "VARCHAR":
        return T.StringType()
    if t == "DATE":
        return T.DateType()
    if t.startswith("DECIMAL("):
        precision, scale = t[len("DECIMAL("):-1].split(",")
        return T.DecimalType(int(precision), int(scale))
    raise ValueError(f"no Spark type for {staging_type}")


def convert(value, spark_t):
    if value is None:
        return None
    if isinstance(spark_t, T.DecimalType):
        return decimal.Decimal(str(value))
    if isinstance(spark_t, T.DateType):
        return datetime.date.fromisoformat(str(value)[:10])
    if isinstance(spark_t, (T.IntegerType, T.ShortType)):
        return int(value)
    return str(value)


def register_sources(spark, tables, data):
    for table in tables:
        schema = T.StructType([T.StructField(c["name"], spark_type(c["type"]), True) for c in table["columns"]])
        rows = []
        if data is not None:
            fields = schema.fields
            rows = [tuple(convert(v, f.dataType) for v, f in zip(row, fields)) for row in data[table["name"]]]
        spark.createDataFrame(rows, schema).createOrReplaceTempView(table["name"])


def run_models(spark, models):
    results = []
    for model in models:
        try:
            df = spark.sql(model["sql"])
            df.limit(0).collect()  # analysis + planning; a DuckDB-only construct fails here
            df.createOrReplaceTempView(model["table"])
            results.append({"table": model["table"], "ok": True, "error": None, "columns": df.columns})
        except Exception as err:  # report every file, not just the first failure
            results.append({"table": model["table"], "ok": False, "error": str(err).splitlines()[0], "columns": []})
    return results


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        spec = json.load(f)
    spark = (SparkSession.builder.master("local[1]").appName("model-check")
             .config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "1")
             .config("spark.sql.session.timeZone", "UTC")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    out = {"spark": spark.version, "empty": [], "extra": [], "data": None}
    register_sources(spark, spec["tables"], None)
    out["empty"] = run_models(spark, spec["models"])
    for extra in spec.get("extra", []):
        try:
            spark.sql(extra["sql"]).limit(0).collect()
            out["extra"].append({"name": extra["name"], "ok": True, "error": None})
        except Exception as err:
            out["extra"].append({"name": extra["name"], "ok": False, "error": str(err).splitlines()[0]})
    if spec.get("data") is not None and all(r["ok"] for r in out["empty"]):
        register_sources(spark, spec["tables"], spec["data"])
        run_models(spark, spec["models"])
        fact = spark.sql("select count(*) as n, cast(sum(orderAmount) as string) as total from fact_orders").collect()[0]
        lines = spark.sql("""select p.productLine, cast(sum(f.orderAmount) as string) as total
                             from fact_orders f join dim_products p on p.productCode = f.productCode
                             group by p.productLine""").collect()
        locations = spark.sql("select count(*) as n, count(distinct locationKey) as k from dim_locations").collect()[0]
        out["data"] = {
            "fact_rows": fact["n"],
            "order_amount_total": fact["total"],
            "by_product_line": {r["productLine"]: r["total"] for r in lines},
            "locations": locations["n"],
            "location_keys": locations["k"],
        }
    spark.stop()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
