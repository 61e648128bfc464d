"""The PySpark backend: the active session, or one on SAMHANDLING_SPARK_MASTER, on spark-submit's master, or local.
Intermediate results are cached temp views."""

from __future__ import annotations

import os
from pathlib import Path

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from .base import Backend


class SparkBackend(Backend):
    engine = "spark"

    def __init__(self, *, memory_limit: str, temp_directory: Path):
        super().__init__()
        self.con = ibis.pyspark.connect(spark_session(memory_limit))

    @property
    def session(self):
        return self.con._session

    def to_arrow(self, expr: Table) -> pa.Table:
        return self.session.sql(self.con.compile(expr)).toArrow()

    def register(self, name: str, table: pa.Table) -> Table:
        self.session.createDataFrame(table).createOrReplaceTempView(name)  # PySpark 4 takes Arrow tables as they are
        return self.con.table(name)

    def _materialise(self, name: str, sql: str) -> None:
        self.session.sql(sql).cache().createOrReplaceTempView(name)

    def _drop(self, name: str) -> None:
        self.session.table(name).unpersist()
        self.session.catalog.dropTempView(name)


def spark_session(memory_limit: str):
    """The active Spark session, else a new one: on the master in SAMHANDLING_SPARK_MASTER, on the master that
    spark-submit chose when it launched us, or local. Timestamps are naive local time, so the session time zone is
    UTC whatever the cluster says: Spark must never shift them."""
    from pyspark.sql import SparkSession

    session = SparkSession.getActiveSession()
    if session is None:
        builder = SparkSession.builder.appName("samhandling-indicators")
        master = os.environ.get("SAMHANDLING_SPARK_MASTER")
        if master or "PYSPARK_GATEWAY_PORT" not in os.environ:
            builder = builder.master(master or "local[*]")
            builder = builder.config("spark.driver.memory", memory_limit.lower().replace("gb", "g").replace("mb", "m"))
            builder = builder.config("spark.ui.enabled", "false")
        session = (
            builder.config("spark.ui.showConsoleProgress", "false")
            # Spark's default of 200 shuffle partitions costs seconds per stage on one machine; AQE coalesces further.
            .config("spark.sql.shuffle.partitions", str(max(os.cpu_count() or 1, 1) * 2))
            .getOrCreate()
        )
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session
