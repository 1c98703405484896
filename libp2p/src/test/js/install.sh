#!/usr/bin/env bash
# Installs the pinned js-libp2p peers used by the interop tests (*IT in libp2p), exactly as
# locked in each package-lock.json. CI runs this before `./mvnw verify`; without it the
# js interop tests are skipped (see JsInterop.assumeAvailable).
set -euo pipefail
cd "$(dirname "$0")"
command -v node >/dev/null || { echo "install.sh: node is not on PATH (Node.js >= 20 needed)" >&2; exit 1; }
command -v npm >/dev/null || { echo "install.sh: npm is not on PATH" >&2; exit 1; }
for line in v2 v3 helia; do
  echo "== npm ci in libp2p/src/test/js/$line"
  (cd "$line" && npm ci --no-audit --no-fund)
done
