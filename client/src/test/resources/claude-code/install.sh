#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the pinned Claude Code CLI (package.json + package-lock.json beside this script) into a
# cache directory and prints the absolute path of its `claude` executable on stdout (nothing else
# goes to stdout; npm's chatter goes to stderr).
#
#   CCX_CLAUDE_DIR   where to install (default: $HOME/.cache/ccx/claude-code)
#
# Idempotent: a second run with the same lock file only checks that the binary still runs.
# Concurrent runs (several test JVMs) are serialised with flock when it is available.
# Exits non-zero with a message starting "ccx claude-code install:" when the CLI cannot be installed;
# tests that need the CLI must fail on that, not skip.
#
# Why 2.1.330 installs offline: since 2.x the npm package ships the native binary in a per-platform
# optional dependency (@anthropic-ai/claude-code-linux-x64 etc.) that comes from the npm registry
# itself; the package's postinstall (install.cjs) only copies/links it over bin/claude.exe. Nothing is
# downloaded from anywhere but the npm registry.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${CCX_CLAUDE_DIR:-${HOME:-/tmp}/.cache/ccx/claude-code}"

die() {
  echo "ccx claude-code install: $*" >&2
  exit 1
}

[ -f "$here/package.json" ] && [ -f "$here/package-lock.json" ] \
  || die "package.json / package-lock.json not found beside $0"
command -v node >/dev/null 2>&1 || die "node not found on PATH (install Node.js and npm, e.g. apt-get install nodejs npm)"
command -v npm >/dev/null 2>&1 || die "npm not found on PATH (install npm, e.g. apt-get install npm)"

mkdir -p "$dir" || die "cannot create $dir"
dir="$(cd "$dir" && pwd)"
bin="$dir/node_modules/.bin/claude"
pkg="$dir/node_modules/@anthropic-ai/claude-code"
stamp="$dir/.ccx-installed"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
version="$(node -e 'process.stdout.write(require(process.argv[1]).dependencies["@anthropic-ai/claude-code"])' "$here/package.json")"

# Serialise concurrent installs into the same directory.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$dir.lock"
  flock -w 900 9 || die "timed out waiting for another install into $dir (lock $dir.lock)"
fi

runs() {
  local out
  out="$("$bin" --version 2>/dev/null)" || return 1
  case "$out" in
    "$version"*) return 0 ;;
    *) echo "ccx claude-code install: $bin --version says '$out', expected $version" >&2; return 1 ;;
  esac
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$bin" ] && runs; then
  echo "$bin"
  exit 0
fi

echo "ccx claude-code install: installing @anthropic-ai/claude-code@$version into $dir" >&2
rm -f "$stamp"
cp "$here/package.json" "$here/package-lock.json" "$dir/" || die "cannot copy the manifests into $dir"
# Node >= 22 is what the package declares, but what runs is a native binary: do not let engine-strict refuse.
# The platform binary is an optional dependency: do not let a user config omit it.
if ! (cd "$dir" && npm ci --prefix "$dir" --no-audit --no-fund --engine-strict=false --include=optional \
        --loglevel=error 1>&2); then
  die "npm ci failed in $dir (is the npm registry reachable? see npm's messages above)"
fi

[ -e "$bin" ] || die "npm ci succeeded but $bin does not exist"
if ! runs; then
  # The postinstall that puts the native binary in place did not run (npm --ignore-scripts, or an
  # npm that refuses unapproved install scripts): run it ourselves.
  echo "ccx claude-code install: $bin does not run yet; running the package's install.cjs" >&2
  (cd "$pkg" && node install.cjs 1>&2) || die "node install.cjs failed in $pkg"
  runs || die "$bin does not run after install.cjs (no native binary for $(uname -sm)? see messages above)"
fi

echo "$want" >"$stamp"
echo "$bin"
