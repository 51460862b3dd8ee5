"""Spark sessions: the settings every run needs, and a small local session for laptops and CI.

On Glue and Synapse the platform owns the session; `configure` applies only runtime SQL
settings there. `local_session` also sets the static ones (master, memory, UI).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Settings the pipeline's results depend on; applied to every session, local or managed.
RUNTIME_CONF: Final[dict[str, str]] = {
    # Arrow, DuckDB and Athena read TIMESTAMP_MICROS; Spark would write INT96.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Landing timestamps carry no zone and mean UTC; dates derive from UTC too.
    "spark.sql.session.timeZone": "UTC",
    # Unparseable timestamps become NULL (and are quarantined) instead of failing the job.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.ansi.enabled": "false",
    # Batch names such as `20240501` stay strings when read back as partition values.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    # Overwrites of a partitioned table replace only the partitions written.
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Gold re-reads silver for a list of dates; pushing the whole list (not a min..max
    # range) into Parquet statistics skips every file without those dates.
    "spark.sql.parquet.pushdown.inFilterThreshold": "1000",
}

LOCAL_CONF: Final[dict[str, str]] = {
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "2g",
    # Local files are written without .crc side files or _SUCCESS markers.
    "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem",
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.files.maxPartitionBytes": str(64 * 1024 * 1024),
}

# JVM options of a local driver (it is also the executor). A local run is a short batch job
# on a few cores, where JIT compiling and GC threads compete with the work. Measured on the
# 1M-order benchmark: the C2 compiler took about a third of all CPU seconds (every query
# brings new generated classes), so C2 compiles only methods ten times hotter than by
# default (the C1-compiled rest runs a little slower; C1 alone slows the single-threaded
# CSV parse by half); the serial collector needs no concurrent GC threads.
LOCAL_JAVA_OPTIONS: Final[tuple[str, ...]] = (
    "-XX:+UseSerialGC",
    "-XX:Tier4InvocationThreshold=50000",
    "-XX:Tier4MinInvocationThreshold=6000",
    "-XX:Tier4CompileThreshold=60000",
    "-XX:Tier4BackEdgeThreshold=400000",
)


# Spark's own log (WARN and up, with Java stack traces) goes to a file, not to the console
# the learner reads: a failed job is reported as one line by the caller.
_LOG4J2 = """\
status = error
appender.file.type = File
appender.file.name = file
appender.file.fileName = {path}
appender.file.append = true
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{{yy/MM/dd HH:mm:ss}} %p %c{{1}}: %m%n%ex
rootLogger.level = warn
rootLogger.appenderRef.file.ref = file
logger.parquet.name = org.apache.parquet
logger.parquet.level = error
"""


def log_to_file(log_file: Path) -> str:
    """The JVM option that sends the driver's log to `log_file` (effective when the JVM
    starts: a session already running in this process keeps its log)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    config = log_file.with_suffix(".log4j2.properties")
    config.write_text(_LOG4J2.format(path=log_file.resolve().as_posix()))
    return f"-Dlog4j2.configurationFile={config.resolve().as_uri()}"


def configure(spark: SparkSession) -> SparkSession:
    """Apply the runtime settings the pipeline relies on to an existing session."""
    for key, value in RUNTIME_CONF.items():
        spark.conf.set(key, value)
    return spark


def local_session(
    cores: int = 2, app_name: str = "lakelab-jobs", log_file: Path | None = None
) -> SparkSession:
    """A local Spark session (reused if one is already running in this process). With
    `log_file`, Spark's log goes there instead of the console."""
    from pyspark.sql import SparkSession

    # Python workers (if any) run in this interpreter, not whatever `python3` is on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(f"local[{cores}]").appName(app_name)
    java = [*LOCAL_JAVA_OPTIONS, *([log_to_file(log_file)] if log_file is not None else [])]
    options = {"spark.driver.extraJavaOptions": " ".join(java)} if java else {}
    for key, value in {**LOCAL_CONF, **RUNTIME_CONF, **options}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return configure(spark)
