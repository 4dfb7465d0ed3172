"""awsglue.context.GlueContext: the Spark session of the run (no DynamicFrames)."""
from __future__ import annotations

import logging
from typing import Any


class GlueContext:
    def __init__(self, spark_context: Any):
        from pyspark.sql import SparkSession

        self._sc = spark_context
        self.spark_session = SparkSession(spark_context)

    def get_logger(self) -> logging.Logger:
        logging.basicConfig(level=logging.INFO)
        return logging.getLogger("awsglue")

    def __getattr__(self, name: str) -> Any:
        raise NotImplementedError(f"GlueContext.{name} is not part of the emulator's awsglue shim; "
                                  "use Spark (glue_context.spark_session) instead")
