#!/usr/bin/env bash
# js<->js self-test of the interop peers on loopback, for every listener/dialer pair of lines
# (v2-v2, v3-v3, v2-v3, v3-v2): identify, ping, echo of 300 KiB on 8 concurrent streams, pnet
# (same key connects; different key, or a key on one side only, fails with an error on both sides),
# and gossipsub (publish both ways with --msgid from-seqno and with js's default ids, checked by
# gossipcheck.mjs; an invalid signature rejected, sent on the gossip stream and on a raw stream;
# GRAFT and mesh reports on both sides).
# Usage: ./selftest.sh [--throughput] [--gossip-only]
#   --throughput adds a 64 MiB single-stream echo per pair; --gossip-only runs only the gossip cases.
# Needs ./install.sh first. Exits non-zero if any check fails.
set -uo pipefail
cd "$(dirname "$0")"
JS=$PWD
work=$(mktemp -d)
trap 'exec 7>&- 8>&- 2>/dev/null; rm -rf "$work"' EXIT
failures=0
throughput=false; gossip_only=false
for a in "$@"; do
  case $a in
    --throughput) throughput=true ;;
    --gossip-only) gossip_only=true ;;
    *) echo "usage: $0 [--throughput] [--gossip-only]" >&2; exit 2 ;;
  esac
done

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
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); sed 's/^/     dialer: /' "$work/d.out"; sed 's/^/     listener: /' "$work/l.out"; [ "${1:-}" = gossip_ok ] && cat "$work/g.txt"; fi
}
count() { grep -c "$1" "$2"; }
# gossip_ok <case>: both peers exited with 0 and gossipcheck.mjs accepts their output; what it
# found (published seqnos and msgIds, problems) is left in $work/g.txt and printed after the check.
gossip_ok() {
  node "$JS/gossipcheck.mjs" "$1" "$work/l.out" "$work/d.out" > "$work/g.txt"
  local rc=$?
  [ $rc -eq 0 ] && [ "$(cat "$work/d.rc"):$(cat "$work/l.rc")" = "0:0" ]
}
gossip_cases() { # <description>; uses $L and $D
  local p=$1 G="--gossip --subscribe t"
  pair $L "$G --msgid from-seqno --publish t=from-L" $D "$G --msgid from-seqno --publish t=from-D --await-messages 1"
  check "$p: gossip both ways, msgId = from||seqno on both sides" gossip_ok from-seqno
  cat "$work/g.txt"
  pair $L "$G --publish t=from-L" $D "$G --msgid default --publish t=from-D --await-messages 1"
  check "$p: gossip both ways, js default msgId = key protobuf||seqno" gossip_ok default
  cat "$work/g.txt"
  pair $L "$G --msgid from-seqno" $D "$G --msgid from-seqno --publish-invalid t=bad --publish t=good"
  check "$p: bad signature on the gossip stream rejected, the next message delivered" gossip_ok invalid-gossip-stream
  pair $L "$G" $D "--publish-invalid t=bad"
  check "$p: bad signature on a raw /meshsub stream rejected" gossip_ok invalid-raw-stream
  pair $L "$G --mesh-report 200" $D "$G --mesh-report 200 --stay --timeout 3"
  check "$p: GRAFT and mesh reports on both sides" gossip_ok mesh
}

for L in v2 v3; do
  for D in v2 v3; do
    p="listener $L, dialer $D"
    gossip_cases "$p"
    $gossip_only && continue
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

    if $throughput; then
      pair $L "--echo" $D "--send-echo 64m --timeout 120"
      check "$p: 64 MiB echo on one stream" test "$(count '"event":"echo".*"ok":true' "$work/d.out")" = 1
      grep -h '"event":"echo"' "$work/d.out" | sed 's/^/     /'
    fi
  done
done
echo "$failures failure(s)"
[ $failures -eq 0 ]
