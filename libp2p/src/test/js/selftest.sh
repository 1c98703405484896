#!/usr/bin/env bash
# js<->js self-test of the interop peers on loopback, for every listener/dialer pair of lines
# (v2-v2, v3-v3, v2-v3, v3-v2): identify, ping, echo of 300 KiB on 8 concurrent streams, and pnet
# (same key connects; different key, or a key on one side only, fails with an error on both sides).
# Usage: ./selftest.sh [--throughput]   (--throughput adds a 64 MiB single-stream echo per pair)
# Needs ./install.sh first. Exits non-zero if any check fails.
set -uo pipefail
cd "$(dirname "$0")"
JS=$PWD
work=$(mktemp -d)
trap 'exec 7>&- 8>&- 2>/dev/null; rm -rf "$work"' EXIT
failures=0

key() { printf '/key/swarm/psk/1.0.0/\n/base16/\n%s' "$(node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))')" > "$1"; }
key "$work/keyA"; key "$work/keyB"

# pair <listener line> "<listener args>" <dialer line> "<dialer args>": runs both, leaves
# $work/l.out, $work/d.out and $work/d.rc. The listener's stdin is a fifo held open on fd 7;
# closing it must make the listener exit by itself.
pair() {
  rm -f "$work"/l.* "$work"/d.* "$work"/lin "$work"/din
  mkfifo "$work/lin" "$work/din"
  node "$JS/$1/peer.mjs" --listen $2 < "$work/lin" > "$work/l.out" 2> "$work/l.err" &
  local lpid=$!
  exec 7> "$work/lin"
  for _ in $(seq 100); do grep -q '"listening"' "$work/l.out" && break; sleep 0.1; done
  local addr
  addr=$(grep '"listening"' "$work/l.out" | head -1 | sed 's/.*"addrs":\["\([^"]*\)".*/\1/')
  node "$JS/$3/peer.mjs" --dial "$addr" $4 < "$work/din" > "$work/d.out" 2> "$work/d.err" &
  local dpid=$!
  exec 8> "$work/din"
  wait $dpid; echo $? > "$work/d.rc"
  exec 8>&-
  sleep 0.3
  exec 7>&-
  wait $lpid; echo $? > "$work/l.rc"
}

check() { # check <description> <condition...>
  local what=$1; shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); sed 's/^/     dialer: /' "$work/d.out"; sed 's/^/     listener: /' "$work/l.out"; fi
}
count() { grep -c "$1" "$2"; }

for L in v2 v3; do
  for D in v2 v3; do
    p="listener $L, dialer $D"
    pair $L "--echo --identify" $D "--identify --ping 3 --send-echo 300k --streams 8"
    check "$p: identify, 3 pings, 8x300 KiB echo" \
      test "$(cat "$work/d.rc"):$(count '"event":"identify"' "$work/d.out"):$(count '"event":"ping"' "$work/d.out"):$(count '"event":"echo".*"ok":true' "$work/d.out"):$(count '"event":"echoed"' "$work/l.out"):$(cat "$work/l.rc")" = "0:1:3:8:8:0"
    grep -h '"echo-total"' "$work/d.out" | sed 's/^/     /'

    pair $L "--echo --swarm-key $work/keyA" $D "--swarm-key $work/keyA --ping 1 --send-echo 300k --streams 4"
    check "$p: pnet same key connects" \
      test "$(cat "$work/d.rc"):$(count '"event":"echo".*"ok":true' "$work/d.out")" = "0:4"

    for variant in "--swarm-key $work/keyA|--swarm-key $work/keyB|different keys" \
                   "--swarm-key $work/keyA||key on the listener only" \
                   "|--swarm-key $work/keyA|key on the dialer only"; do
      IFS='|' read -r la da name <<< "$variant"
      pair $L "--echo $la" $D "$da --ping 1"
      check "$p: pnet $name fails on both sides" \
        test "$(cat "$work/d.rc"):$(count '"event":"connected"' "$work/d.out"):$(count '"stage":"dial"' "$work/d.out"):$(count '"stage":"inbound-upgrade"' "$work/l.out")" = "1:0:1:1"
      grep -h '"event":"error"' "$work/d.out" "$work/l.out" | sed 's/^/     /'
    done

    if [ "${1:-}" = "--throughput" ]; then
      pair $L "--echo" $D "--send-echo 64m --timeout 120"
      check "$p: 64 MiB echo on one stream" test "$(count '"event":"echo".*"ok":true' "$work/d.out")" = 1
      grep -h '"event":"echo"' "$work/d.out" | sed 's/^/     /'
    fi
  done
done
echo "$failures failure(s)"
[ $failures -eq 0 ]
