"""pytest setup for the Glue job: imports from glue/, and one local Spark session for the tests that need Spark."""
import os
import sys

import pytest

GLUE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, GLUE_DIR)

ENABLE = "pip install pyspark==3.5.4 (needs Java 17); with CI=true these tests must run"


@pytest.fixture(scope="session")
def spark():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"pyspark is not installed. To enable: {ENABLE}")
    session = (SparkSession.builder.master("local[1]").appName("glue-job-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "1")
               # Tiny data: compiling generated code and adaptive re-planning cost more than they save.
               .config("spark.sql.codegen.wholeStage", "false")
               .config("spark.sql.adaptive.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
