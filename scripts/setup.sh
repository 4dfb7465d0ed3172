#!/usr/bin/env bash
# Installs what `npm start` / `npm test` need on a fresh Debian machine (run as root), and nothing that is
# already there, so a second run takes a few seconds. Called by the npm `prestart` and `pretest` hooks,
# which run before node_modules exists.
#   bash scripts/setup.sh           system packages + npm dependencies
#   bash scripts/setup.sh --test    also the Python test deps (pyspark, moto, sqlglot, ruff, pytest, checkov) and,
#                                   through scripts/setup-emulator.sh, Trino, Spark's s3a jars and MySQL Connector/J
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST_DEPS=0
for arg in "$@"; do
  case "$arg" in
    --test) WITH_TEST_DEPS=1 ;;
    *) echo "setup: unknown option $arg (expected --test)" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

# --- system packages ------------------------------------------------------------------------------
# mariadb-server/client: the local lab; chromium: extension-host tests and screenshots; ripgrep (seeds code-server's
# ripgrep download), libkrb5-dev, pkg-config: code-server's postinstall builds (scripts/setup-editor.sh).
APT_PACKAGES=(mariadb-server mariadb-client chromium ripgrep libkrb5-dev pkg-config)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  command -v apt-get >/dev/null || fail "missing system packages (${missing[*]}) and apt-get is not available; install them by hand"
  [ "$(id -u)" = 0 ] || fail "missing system packages (${missing[*]}); run as root or install them with: sudo apt-get install ${missing[*]}"
  say "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed; check the network or the apt sources, then rerun"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed; see the output above, fix it, then rerun"
fi

# --- npm dependencies ----------------------------------------------------------------------------
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund || fail "npm ci failed; see the output above (network?), then rerun"
fi

# --- the editor ----------------------------------------------------------------------------------
# code-server on its own Node.js 22, once per machine, linked from vendor/editor (npm start, the extension-host tests,
# the install test and the bench serve it).
bash scripts/setup-editor.sh || fail "installing the editor (code-server) failed; see the output above, then rerun"

# --- test-only dependencies ----------------------------------------------------------------------
if ((WITH_TEST_DEPS)); then
  if ! python3 -c 'import pyspark, moto' 2>/dev/null; then
    say "installing Python test dependencies (pyspark, moto)"
    pip_args=()
    # Debian's python3 is "externally managed"; this machine is a throwaway test box.
    python3 -m pip install --help 2>/dev/null | grep -q -- '--break-system-packages' && pip_args+=(--break-system-packages)
    python3 -m pip install -q "${pip_args[@]}" 'pyspark==3.5.4' 'moto[server]==5.1.11' \
      || fail "pip install of pyspark/moto failed; see the output above, then rerun"
  fi
  # test/aws: sqlglot parses the dashboard's queries with Athena's (Trino) grammar.
  if [ "$(python3 -c 'import sqlglot; print(sqlglot.__version__)' 2>/dev/null)" != "30.30.0" ]; then
    say "installing sqlglot (Athena SQL parser for the tests)"
    pip_args=()
    python3 -m pip install --help 2>/dev/null | grep -q -- '--break-system-packages' && pip_args+=(--break-system-packages)
    python3 -m pip install -q "${pip_args[@]}" 'sqlglot==30.30.0' \
      || fail "pip install of sqlglot failed; see the output above, then rerun"
  fi
  # test/iac: ruff and pytest over glue/ (system Python, like pyspark), checkov in a virtualenv of its own
  # (it pins an old boto3 that would downgrade moto's).
  if ! command -v ruff >/dev/null || ! python3 -c 'import pytest' 2>/dev/null; then
    say "installing ruff and pytest"
    pip_args=()
    python3 -m pip install --help 2>/dev/null | grep -q -- '--break-system-packages' && pip_args+=(--break-system-packages)
    python3 -m pip install -q "${pip_args[@]}" 'ruff==0.12.12' 'pytest>=8,<10' \
      || fail "pip install of ruff/pytest failed; see the output above, then rerun"
  fi
  # checkov's virtualenv lives in the machine's cache beside the engines (a venv is not relocatable, so it is made
  # there and linked), so a fresh clone links it instead of installing it again.
  checkov_cache="${LIFECYCLE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifecycle-lab}/checkov-3.2.533"
  if [ ! -x "$checkov_cache/bin/checkov" ]; then
    say "installing checkov into $checkov_cache (a minute or two, once per machine)"
    rm -rf "$checkov_cache"
    mkdir -p "$(dirname "$checkov_cache")"
    python3 -m venv "$checkov_cache" || fail "python3 -m venv failed; install python3-venv, then rerun"
    "$checkov_cache/bin/pip" install -q 'checkov==3.2.533' \
      || { rm -rf "$checkov_cache"; fail "pip install checkov failed; see the output above, then rerun"; }
  fi
  if [ "$(readlink .venv/checkov 2>/dev/null)" != "$checkov_cache" ]; then
    mkdir -p .venv
    rm -rf .venv/checkov
    ln -s "$checkov_cache" .venv/checkov
  fi
  command -v terraform >/dev/null \
    || say "WARNING: terraform is not on PATH; test/iac needs the Terraform CLI 1.9+ and an AWS provider mirror"
  # The emulated AWS's engines (Trino, Spark's s3a jars) and MySQL Connector/J, cached once per machine outside the
  # clone (~/.cache/lifecycle-lab) and linked from vendor/; seconds when they are there.
  bash scripts/setup-emulator.sh || fail "installing the emulated AWS's engines failed; see the output above, then rerun"
fi

say "ok"
