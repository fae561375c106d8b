#!/usr/bin/env bash
# Installs the independent JOSE implementations the test suite checks tokens against (python
# jwcrypto in a venv, node jose), the tools that drive serve (playwright-core, schemathesis,
# openapi-spec-validator), pinned by requirements.txt and package-lock.json, into
# $INTEROP_DIR (default: target/interop). Idempotent, quiet on success, safe to run from
# several test processes at once.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${INTEROP_DIR:-$root/target/interop}
mkdir -p "$dir"
exec 9>"$dir/.lock"
flock 9

stamp=$(cat "$here/requirements.txt" "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then
  exit 0
fi

log=$dir/setup.log
fail() { echo "tests/interop/setup.sh: $1 (log: $log)" >&2; tail -20 "$log" >&2; exit 1; }
rm -rf "$dir/venv" "$dir/node"
python3 -m venv "$dir/venv" >"$log" 2>&1 || fail "cannot create a python venv (install python3-venv)"
"$dir/venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >>"$log" 2>&1 ||
  fail "pip could not install requirements.txt"
mkdir -p "$dir/node"
cp "$here/package.json" "$here/package-lock.json" "$dir/node/"
(cd "$dir/node" && npm ci --silent --no-audit --no-fund) >>"$log" 2>&1 || fail "npm ci failed"
echo "$stamp" >"$dir/.stamp"
