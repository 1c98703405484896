#!/usr/bin/env bash
# Called by the Maven build before the integration tests: installs the pinned js-libp2p peers
# (npm ci) when Node.js is present and they are missing or older than their lock files, so that
# `./mvnw verify` alone runs the interop tests. Without Node.js it says how to enable them and
# leaves the tests to skip. Never fails the build itself: the tests report what is missing.
set -u
cd "$(dirname "$0")"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "js interop tests: Node.js >= 20 and npm are not on PATH; those tests will be skipped (install Node.js to run them)"
  exit 0
fi
for line in v2 v3 helia; do
  if [ ! -d "$line/node_modules" ] || [ "$line/package-lock.json" -nt "$line/node_modules/.package-lock.json" ]; then
    echo "js interop tests: npm ci in libp2p/src/test/js/$line"
    (cd "$line" && npm ci --no-audit --no-fund) || echo "js interop tests: npm ci failed in $line; those tests will be skipped or fail as configured"
  fi
done
exit 0
