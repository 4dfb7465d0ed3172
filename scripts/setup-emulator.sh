#!/usr/bin/env bash
# Installs the engines of the emulated AWS (emulator/), once per machine: nothing is fetched or unpacked when it is
# already there, so a fresh clone on a machine that has them takes a second.
#   - Trino server 476 (Athena engine v3 is Trino), with only the plugin the emulator uses (hive: the awsdatacatalog
#     catalog on the emulator's Glue and S3);
#   - hadoop-aws 3.3.4 + aws-java-sdk-bundle 1.12.262 (pyspark 3.5.4 bundles Hadoop 3.3.4), so a Glue job run on
#     local Spark reads and writes s3a:// on the emulator's S3;
#   - MySQL Connector/J 8.4.0 (the Glue job's JDBC source, the differential test and the bench).
# They are kept OUTSIDE the clone, in $LIFECYCLE_LAB_CACHE (default ~/.cache/lifecycle-lab): trino-server-476/ and
# jars/. The clone's vendor/trino/trino-server-476 and vendor/jars/*.jar are symlinks into it (emulator/engines.py
# and the tests read vendor/). Downloads come from Maven Central through mvn (its ~/.m2 keeps the archives).
# Trino needs Java 24+: this script says so when no such JDK is found (emulator/engines.py looks the same way).
#   bash scripts/setup-emulator.sh          install (or link) what is missing
#   bash scripts/setup-emulator.sh --check  only say what is missing (exit 1 if anything is)
set -euo pipefail
cd "$(dirname "$0")/.."

TRINO_VERSION=476
ARTIFACTS=(org.apache.hadoop:hadoop-aws:3.3.4 com.amazonaws:aws-java-sdk-bundle:1.12.262 com.mysql:mysql-connector-j:8.4.0)
CACHE="${LIFECYCLE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifecycle-lab}"
TRINO_NAME="trino-server-$TRINO_VERSION"
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

jar_name() { # group:artifact:version -> artifact-version.jar
  local a="${1#*:}"
  echo "${a%%:*}-${a#*:}.jar"
}

mvn_get() { # mvn with its output shown only on failure (it prints colour codes even in batch mode)
  local out
  command -v mvn >/dev/null || fail "mvn is not available to download $*; install maven"
  if ! out="$(mvn -q -B "$@" 2>&1)"; then
    echo "$out" >&2
    fail "mvn $* failed; check the network to Maven Central, then rerun"
  fi
}

# link <path in the clone> <path in the cache>: a clone made before the cache existed moves its real copy into the
# cache (one rename, no copy) instead of downloading it again.
link() {
  local here="$1" cached="$2"
  if [ -e "$here" ] && [ ! -L "$here" ] && [ ! -e "$cached" ]; then mv "$here" "$cached"; fi
  if [ "$(readlink "$here" 2>/dev/null)" != "$cached" ]; then
    mkdir -p "$(dirname "$here")"
    rm -rf "$here"
    ln -s "$cached" "$here"
  fi
}

missing=()
[ -x "vendor/trino/$TRINO_NAME/bin/launcher" ] || missing+=("$TRINO_NAME")
for art in "${ARTIFACTS[@]}"; do
  [ -s "vendor/jars/$(jar_name "$art")" ] || missing+=("$art")
done

if ((CHECK_ONLY)); then
  if ((${#missing[@]})); then say "missing: ${missing[*]} (run bash scripts/setup-emulator.sh)"; exit 1; fi
  say "ok"
  exit 0
fi

mkdir -p "$CACHE/jars" vendor/trino vendor/jars
# A clone of the old layout (real folders in vendor/) hands them to the cache first.
link "vendor/trino/$TRINO_NAME" "$CACHE/$TRINO_NAME"
for art in "${ARTIFACTS[@]}"; do link "vendor/jars/$(jar_name "$art")" "$CACHE/jars/$(jar_name "$art")"; done

# --- Trino ---------------------------------------------------------------------------------------------------
if [ ! -x "$CACHE/$TRINO_NAME/bin/launcher" ]; then
  say "downloading Trino server $TRINO_VERSION (about 820 MB, once per machine) and unpacking it into $CACHE"
  tmp="$(mktemp -d "$CACHE/.trino-XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  mvn_get dependency:copy "-Dartifact=io.trino:trino-server:$TRINO_VERSION:tar.gz" "-DoutputDirectory=$tmp"
  # tar rather than dependency:unpack: it keeps the launcher's executable bits.
  tar xzf "$tmp/$TRINO_NAME.tar.gz" -C "$tmp"
  rm -f "$tmp/$TRINO_NAME.tar.gz"
  for dir in "$tmp/$TRINO_NAME"/plugin/*/; do
    name="$(basename "$dir")"
    [[ " ${KEEP_PLUGINS[*]} " == *" $name "* ]] || rm -rf "$dir"
  done
  rm -rf "${CACHE:?}/$TRINO_NAME"
  mv "$tmp/$TRINO_NAME" "$CACHE/$TRINO_NAME"
  rm -rf "$tmp"
  trap - EXIT
fi

# --- jars: s3a for Spark, Connector/J ----------------------------------------------------------------------
for art in "${ARTIFACTS[@]}"; do
  if [ ! -s "$CACHE/jars/$(jar_name "$art")" ]; then
    say "downloading $art into $CACHE/jars"
    mvn_get dependency:copy "-Dartifact=$art" "-DoutputDirectory=$CACHE/jars"
  fi
done

# --- Java for Trino ------------------------------------------------------------------------------------------
if ! python3 -m emulator.engines java >/dev/null 2>&1; then
  say "WARNING: no Java 24+ found for Trino $TRINO_VERSION (looked at \$TRINO_JAVA_HOME, \$JAVA_HOME, /usr/lib/jvm, /opt):"
  say "         the emulated AWS's Athena cannot start; install a JDK 24+ (e.g. Temurin 25) and set TRINO_JAVA_HOME to it"
fi

say "ok: engines in $CACHE ($(du -shL "$CACHE/$TRINO_NAME" | cut -f1) Trino, $(du -chL "$CACHE"/jars/*.jar | tail -1 | cut -f1) jars), linked from vendor/"
