"""Where the emulator's engines are: the Trino server and the JDK it needs, and the jars Spark needs for s3a.

scripts/setup-emulator.sh installs them under vendor/. `python3 -m emulator.engines java` prints the JDK
Trino would run on (exit 1 with the reason when there is none), for the setup script and for people.
"""
from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from typing import List, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENDOR = os.path.join(ROOT, "vendor")
TRINO_VERSION = "476"
TRINO_HOME = os.path.join(VENDOR, "trino", f"trino-server-{TRINO_VERSION}")
TRINO_MIN_JAVA = 24
SPARK_JAVA = (17, 11, 8)  # what Spark 3.5 supports, the preferred first
# pyspark 3.5.4 bundles Hadoop 3.3.4: hadoop-aws must match it, with the SDK bundle it was built against.
S3A_JARS = ("hadoop-aws-3.3.4.jar", "aws-java-sdk-bundle-1.12.262.jar")
JDBC_JARS = ("mysql-connector-j-8.4.0.jar",)
SETUP_HINT = "bash scripts/setup-emulator.sh"


class EngineMissing(Exception):
    """An engine is not installed; the message says what to run."""


def java_major(java_home: str) -> Optional[int]:
    """The major version of the JDK at java_home, from its `release` file (or `java -version`), None if unreadable."""
    release = os.path.join(java_home, "release")
    try:
        with open(release, encoding="utf-8") as f:
            m = re.search(r'^JAVA_VERSION="(\d+)', f.read(), re.M)
            if m:
                return int(m.group(1))
    except OSError:
        pass
    java = os.path.join(java_home, "bin", "java")
    if not os.access(java, os.X_OK):
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30).stderr  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)', out)
    return int(m.group(1)) if m else None


def java_candidates() -> List[str]:
    named = [os.environ.get("TRINO_JAVA_HOME", ""), os.environ.get("JAVA_HOME", "")]
    found = sorted(glob.glob("/usr/lib/jvm/*") + glob.glob("/opt/*") + glob.glob("/opt/java/*"), reverse=True)
    return [p for p in named + found if p and os.path.isfile(os.path.join(p, "bin", "java"))]


def trino_java_home() -> str:
    """A JDK of version 24 or later for Trino: $TRINO_JAVA_HOME, $JAVA_HOME, then /usr/lib/jvm/* and /opt/*."""
    seen = []
    for home in java_candidates():
        major = java_major(home)
        seen.append(f"{home} ({major or 'unknown version'})")
        if major is not None and major >= TRINO_MIN_JAVA:
            return home
    looked = "; ".join(seen) or "none found"
    raise EngineMissing(f"Trino {TRINO_VERSION} needs Java {TRINO_MIN_JAVA}+ and no such JDK was found (JDKs seen: "
                        f"{looked}). Install one (e.g. Temurin 25) and set TRINO_JAVA_HOME to it.")


def spark_java_home() -> Optional[str]:
    """A JDK Spark 3.5 runs on (17, 11 or 8) for Glue runs: $SPARK_JAVA_HOME, $JAVA_HOME, then the JDKs found;
    None leaves Spark to the `java` on PATH."""
    for home in [os.environ.get("SPARK_JAVA_HOME", "")] + java_candidates():
        if home and java_major(home) in SPARK_JAVA:
            return home
    return None


def trino_home() -> str:
    if not os.access(os.path.join(TRINO_HOME, "bin", "launcher"), os.X_OK):
        raise EngineMissing(f"The Trino server is not installed in {TRINO_HOME}. Run: {SETUP_HINT}")
    return TRINO_HOME


def spark_jars() -> List[str]:
    """The jars a Glue run's Spark gets: s3a (required) and MySQL Connector/J (when installed, for JDBC sources)."""
    jars = [os.path.join(VENDOR, "jars", j) for j in S3A_JARS]
    missing = [j for j in jars if not os.path.isfile(j)]
    if missing:
        raise EngineMissing(f"Spark's s3a jars are missing ({', '.join(missing)}). Run: {SETUP_HINT}")
    return jars + [p for p in (os.path.join(VENDOR, "jars", j) for j in JDBC_JARS) if os.path.isfile(p)]


def main(argv: List[str]) -> int:
    what = argv[0] if argv else "java"
    try:
        if what == "java":
            print(trino_java_home())
        elif what == "trino":
            print(trino_home())
        elif what == "jars":
            print("\n".join(spark_jars()))
        else:
            print(f"usage: python3 -m emulator.engines [java|trino|jars] (got {what})", file=sys.stderr)
            return 2
    except EngineMissing as err:
        print(err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
