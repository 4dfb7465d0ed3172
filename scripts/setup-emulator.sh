#!/usr/bin/env bash
# Installs the engines of the emulated AWS (emulator/), once: nothing is fetched when it is already there.
#   - Trino server 476 (Athena engine v3 is Trino) into vendor/trino/trino-server-476, with only the plugin the
#     emulator uses (hive: the awsdatacatalog catalog on the emulator's Glue and S3);
#   - hadoop-aws 3.3.4 + aws-java-sdk-bundle 1.12.262 into vendor/jars (pyspark 3.5.4 bundles Hadoop 3.3.4), so
#     a Glue job run on local Spark reads and writes s3a:// on the emulator's S3.
# Downloads come from Maven Central through mvn (its local repository is the cache). Trino needs Java 24+:
# this script says so when no such JDK is found (the emulator looks for it the same way: emulator/engines.py).
#   bash scripts/setup-emulator.sh          install (or check) both
#   bash scripts/setup-emulator.sh --check  only say what is missing (exit 1 if anything is)
set -euo pipefail
cd "$(dirname "$0")/.."

TRINO_VERSION=476
HADOOP_AWS=org.apache.hadoop:hadoop-aws:3.3.4
SDK_BUNDLE=com.amazonaws:aws-java-sdk-bundle:1.12.262
TRINO_HOME="vendor/trino/trino-server-$TRINO_VERSION"
# The plugins the emulator loads; Trino starts every plugin folder it finds, so the others are removed
# (less disk, a faster start).
KEEP_PLUGINS=(hive)

CHECK_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK_ONLY=1 ;;
    *) echo "setup-emulator: unknown option $arg (expected --check)" >&2; exit 2 ;;
  esac
done

say() { echo "setup-emulator: $*"; }
fail() { echo "setup-emulator: ERROR: $*" >&2; exit 1; }

jar_path() { # group:artifact:version -> vendor/jars/artifact-version.jar
  local a="${1#*:}"
  echo "vendor/jars/${a%%:*}-${a#*:}.jar"
}

mvn_get() { # mvn with its output shown only on failure (it prints colour codes even in batch mode)
  local out
  command -v mvn >/dev/null || fail "mvn is not available to download $*; install maven"
  if ! out="$(mvn -q -B "$@" 2>&1)"; then
    echo "$out" >&2
    fail "mvn $* failed; check the network to Maven Central, then rerun"
  fi
}

missing=()
[ -x "$TRINO_HOME/bin/launcher" ] || missing+=("trino-server-$TRINO_VERSION")
for art in "$HADOOP_AWS" "$SDK_BUNDLE"; do
  [ -s "$(jar_path "$art")" ] || missing+=("$art")
done

if ((CHECK_ONLY)); then
  if ((${#missing[@]})); then say "missing: ${missing[*]} (run bash scripts/setup-emulator.sh)"; exit 1; fi
  say "ok"
  exit 0
fi

# --- Trino ---------------------------------------------------------------------------------------------------
if [ ! -x "$TRINO_HOME/bin/launcher" ]; then
  say "downloading Trino server $TRINO_VERSION (about 820 MB, once) and unpacking it into vendor/trino"
  tmp="$(mktemp -d vendor/.trino-XXXXXX 2>/dev/null || { mkdir -p vendor && mktemp -d vendor/.trino-XXXXXX; })"
  trap 'rm -rf "$tmp"' EXIT
  mvn_get dependency:copy "-Dartifact=io.trino:trino-server:$TRINO_VERSION:tar.gz" "-DoutputDirectory=$tmp"
  # tar rather than dependency:unpack: it keeps the launcher's executable bits.
  tar xzf "$tmp/trino-server-$TRINO_VERSION.tar.gz" -C "$tmp"
  rm -f "$tmp/trino-server-$TRINO_VERSION.tar.gz"
  for dir in "$tmp/trino-server-$TRINO_VERSION"/plugin/*/; do
    name="$(basename "$dir")"
    [[ " ${KEEP_PLUGINS[*]} " == *" $name "* ]] || rm -rf "$dir"
  done
  mkdir -p vendor/trino
  rm -rf "$TRINO_HOME"
  mv "$tmp/trino-server-$TRINO_VERSION" "$TRINO_HOME"
  rm -rf "$tmp"
  trap - EXIT
fi

# --- Spark's s3a jars ----------------------------------------------------------------------------------------
for art in "$HADOOP_AWS" "$SDK_BUNDLE"; do
  if [ ! -s "$(jar_path "$art")" ]; then
    say "downloading $art into vendor/jars"
    mkdir -p vendor/jars
    mvn_get dependency:copy "-Dartifact=$art" -DoutputDirectory=vendor/jars
  fi
done

# --- Java for Trino ------------------------------------------------------------------------------------------
if ! python3 -m emulator.engines java >/dev/null 2>&1; then
  say "WARNING: no Java 24+ found for Trino $TRINO_VERSION (looked at \$TRINO_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm, /opt);"
  say "         install a JDK 24+ (e.g. Temurin 25) and set TRINO_JAVA_HOME to it"
fi

say "ok ($(du -sh "$TRINO_HOME" | cut -f1) Trino, $(du -ch "$(jar_path "$HADOOP_AWS")" "$(jar_path "$SDK_BUNDLE")" | tail -1 | cut -f1) s3a jars)"
