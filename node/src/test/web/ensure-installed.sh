#!/usr/bin/env bash
# Called by the Maven build before the integration tests: installs the pinned axe-core for the
# browser tests (npm ci) when npm is present and node_modules is missing or older than the lock
# file, so that `./mvnw verify` alone runs them where Chromium is installed. Without npm it says how
# to enable them and leaves the tests to skip. Never fails the build itself: the tests report what
# is missing (Browser.assumeAvailable).
set -u
cd "$(dirname "$0")"
if ! command -v npm >/dev/null; then
  echo "browser tests: npm is not on PATH; they will be skipped (install Node.js, then npm ci in node/src/test/web)"
  exit 0
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "browser tests: npm ci in node/src/test/web"
  npm ci --no-audit --no-fund || echo "browser tests: npm ci failed; they will be skipped or fail as configured"
fi
exit 0
