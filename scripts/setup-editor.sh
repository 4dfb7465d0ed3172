#!/usr/bin/env bash
# Installs the editor that `npm start`, the extension-host tests, the install test and the bench serve: code-server
# (scripts/editor/package-lock.json) on its own Node.js 22, once per machine.
# Why not the clone's node_modules: code-server 4.103 and later need Node.js 22 (this machine's Node.js may be older),
# and its postinstall builds native modules for the Node.js that runs it. VS Code 1.103 is the first whose webviews
# reuse one service worker, so a dashboard reopened in a new webview does not wait for one (bench/results.md, section 4).
# Both come from the npm registry: Node.js as the node-<os>-<arch> package (it carries the headers node-gyp builds
# against), code-server by `npm ci` run on that Node.js. They live in $LIFECYCLE_LAB_CACHE (default
# ~/.cache/lifecycle-lab)/editor-<lock hash>-<platform>/; the clone's vendor/editor is a symlink to it
# (scripts/lib/codeServer.mjs reads vendor/editor/node/bin/node and vendor/editor/node_modules/code-server).
#   bash scripts/setup-editor.sh          install (or link) what is missing
#   bash scripts/setup-editor.sh --check  only say what is missing (exit 1 if it is)
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=22.23.5
# code-server 4.103.2's @vscode/ripgrep (1.15.14) downloads ripgrep v13.0.0-13 from GitHub in its postinstall; a
# tarball of the system's rg in its cache skips that download (GitHub is not reachable from every machine).
RIPGREP_PACKAGE_VERSION=1.15.14
RIPGREP_TAG=v13.0.0-13
CACHE="${LIFECYCLE_LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lifecycle-lab}"

CHECK_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --check) CHECK_ONLY=1 ;;
    *) echo "setup-editor: unknown option $arg (expected --check)" >&2; exit 2 ;;
  esac
done

say() { echo "setup-editor: $*"; }
fail() { echo "setup-editor: ERROR: $*" >&2; exit 1; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64; rg_target=x86_64-unknown-linux-musl ;;
  Linux-aarch64) platform=linux-arm64; rg_target=aarch64-unknown-linux-musl ;;
  *) fail "the test editor is set up for Linux on x64 or arm64 only (this is $(uname -s) $(uname -m))" ;;
esac

lock_hash="$(sha256sum scripts/editor/package-lock.json | cut -c1-12)"
cached="$CACHE/editor-$lock_hash-node$NODE_VERSION-$platform"
link="vendor/editor"

ready() { [ -x "$cached/node/bin/node" ] && [ -f "$cached/node_modules/code-server/out/node/entry.js" ] \
  && [ -x "$cached/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg" ]; }

if ! ready; then
  ((CHECK_ONLY)) && { say "missing: code-server on Node.js $NODE_VERSION ($cached)"; exit 1; }
  command -v rg >/dev/null || fail "ripgrep (rg) is not on PATH; install the ripgrep package"
  say "installing code-server on Node.js $NODE_VERSION into $cached (a minute or two, once per machine)"
  work="$cached.partial"
  rm -rf "$work"
  mkdir -p "$work/node" "$work/tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
  (cd "$work/tmp" && npm pack --silent "node-$platform@$NODE_VERSION" >/dev/null) \
    || fail "npm pack node-$platform@$NODE_VERSION failed; check the network to the npm registry, then rerun"
  tar xzf "$work/tmp/node-$platform-$NODE_VERSION.tgz" -C "$work/node" --strip-components=1
  cp "$(command -v rg)" "$work/tmp/rg"
  tar czf "$work/tmp/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION/ripgrep-$RIPGREP_TAG-$rg_target.tar.gz" -C "$work/tmp" rg
  cp scripts/editor/package.json scripts/editor/package-lock.json "$work/"
  # npm on PATH runs on the first `node` there: Node.js 22, so code-server's postinstall accepts it and node-gyp builds
  # its native modules against that Node.js's own headers (nodedir) instead of downloading them.
  # npm_config_yes lets node-pty's `npx node-gyp` run without a TTY.
  (cd "$work" && PATH="$work/node/bin:$PATH" TMPDIR="$work/tmp" npm_config_nodedir="$work/node" \
      npm_config_yes=true npm ci --no-audit --no-fund) \
    || fail "npm ci of code-server failed; see the output above (network? build tools: g++, make, libkrb5-dev, pkg-config?), then rerun"
  rm -rf "$work/tmp"
  rm -rf "$cached"
  mv "$work" "$cached"
  ready || fail "code-server installed into $cached but its entry script or ripgrep is missing"
fi

if [ "$(readlink "$link" 2>/dev/null)" != "$cached" ]; then
  ((CHECK_ONLY)) && { say "missing: the link $link -> $cached"; exit 1; }
  mkdir -p "$(dirname "$link")"
  rm -rf "$link"
  ln -s "$cached" "$link"
fi
