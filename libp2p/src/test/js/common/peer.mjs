// A js-libp2p peer for Grapevine's interop tests, shared by the 2.x and 3.x lines.
//
// This module imports NO npm package: an ES module resolves bare specifiers from its own
// directory, so a `import 'libp2p'` here would find neither v2/node_modules nor
// v3/node_modules. Each line's entry file (../v2/peer.mjs, ../v3/peer.mjs) imports its own
// packages and hands them to main() together with the few stream helpers whose API changed
// between 2.x (duplex `source`/`sink` streams) and 3.x (`send`/`onDrain`, async-iterable
// streams). See ../README.md for the command line and the JSON events.

import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { Dht, dhtOptions } from './dht.mjs'
import { Gossip, gossipOptions, MESHSUB_PROTOCOLS, parseTopicText, PUBLISH_LINGER_MS } from './gossip.mjs'
import { addDcutrInit, checkDcutrLib } from './dcutr.mjs'
import { addRelayInit, checkRelayLib, startRelay } from './relay.mjs'

export const ECHO_PROTOCOL = '/grapevine/echo/1.0.0'

// Echo payload: byte at offset i of stream s is (i + 17*s) mod 251. A prime period never lines
// up with power-of-two chunk or window sizes, so a dropped, repeated or reordered chunk shows as
// a mismatch; the per-stream phase shift catches bytes that land on the wrong stream.
const PATTERN_PERIOD = 251
const STREAM_PHASE = 17
const CHUNK = 64 * 1024
const REF = (() => {
  const b = new Uint8Array(CHUNK + PATTERN_PERIOD)
  for (let i = 0; i < b.length; i++) b[i] = i % PATTERN_PERIOD
  return b
})()
const MAX_STREAMS = 512
const STREAM_LIMIT = 1024 // handler / newStream limits, above MAX_STREAMS (js defaults are 32/64)
const IDENTIFY_WAIT_MS = 8000

export const USAGE = `usage: node peer.mjs (--listen | --dial <multiaddr>) [options]
  --listen               wait for inbound connections (always listens on /ip4/127.0.0.1/tcp/0)
  --dial <multiaddr>     dial this peer, run the actions below against it, then exit
  --swarm-key <file>     private network (pnet) with this /key/swarm/psk/1.0.0/ /base16/ key file
  --seed <hex>           fixed Ed25519 identity from a 32-byte seed (64 hex chars)
  --rsa                  a fresh RSA-2048 identity (peer ID Qm...) instead of Ed25519
  --echo                 serve ${ECHO_PROTOCOL}: echo every byte back until EOF, then close
  --identify             print the identify result of every remote; as an action, wait for it
  --ping <n>             action: ping the remote n times
  --send-echo <bytes>    action: echo this many bytes (suffix k or m for KiB/MiB) per stream
  --streams <k>          run --send-echo on k concurrent streams (default 1, max ${MAX_STREAMS})
  --gossip               run gossipsub (StrictSign, /meshsub/1.2.0, 1.1.0, 1.0.0, /floodsub/1.0.0)
  --msgid <rule>         with --gossip: from-seqno (from bytes || 8-byte seqno) or default (js's own)
  --subscribe <topic>    with --gossip: subscribe to the topic (repeatable)
  --mesh-report <ms>     with --gossip: print the mesh peers of every subscribed topic every ms
  --publish <t>=<text>   action, with --gossip: wait for a subscriber of t, publish text (repeatable)
  --publish-min-peers <n> --publish waits for n subscribers instead of one
  --publish-invalid <t>=<text>  action: send the peer a message of ours with a random signature
  --await-messages <n>   action, with --gossip: wait until n gossip messages were received
  --await-rejected <n>   action, with --gossip: wait until n received messages were rejected
  --dht                  run @libp2p/kad-dht (server mode, /ipfs/kad/1.0.0, loopback addresses kept)
                         and take DHT commands on stdin, one per line (see README.md, DHT)
  --relay-server         run a circuit relay v2 server; prints relay-reservation events
  --relay-listen <addr>  reserve on the relay at <addr> (with /p2p/<id>); prints relay-listening
  --autonat              (v3) run AutoNAT v2 (client and server)
  --observed-addr <addr> with --autonat: add an unverified observed address (repeatable)
  --dcutr                (v3) run DCUtR (/libp2p/dcutr); prints a dcutr event per step js takes
  --stay                 after the actions of --dial, keep running (until --timeout or stdin EOF)
  --timeout <s>          exit by itself after s seconds (default 30); unfinished actions are an error
Actions (--identify, --ping, --send-echo, --publish-invalid, --publish, --await-messages,
--await-rejected) run in that order against the dialed peer, or with --listen against the first
peer that connects. Exits when stdin closes. One JSON object per line
on stdout; exit code 0 if no error event was printed, 1 otherwise, 2 on a usage error.
`

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function describe (err) {
  if (err == null) return 'unknown error'
  // 3.x streams reject their iterators with an Event (e.g. a StreamAbortEvent) carrying .error
  if (typeof Event !== 'undefined' && err instanceof Event) {
    return err.error != null ? `${err.type} event: ${describe(err.error)}` : `${err.type} event`
  }
  const name = err.name != null && err.name !== 'Error' ? `${err.name}: ` : ''
  return `${name}${err.message ?? String(err)}`
}

function parseSize (s) {
  const m = /^(\d+)\s*(k|kib|m|mib)?$/i.exec(s)
  if (m == null) throw new Error(`not a size: ${s}`)
  const unit = (m[2] ?? '').toLowerCase()
  return Number(m[1]) * (unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1)
}

function parsePositiveInt (s, name, max) {
  if (!/^\d+$/.test(s ?? '')) throw new Error(`${name} needs a number, got ${s}`)
  const n = Number(s)
  if (n < 1 || n > max) throw new Error(`${name} must be between 1 and ${max}`)
  return n
}

export function parseArgs (argv) {
  const o = {
    listen: false, dial: null, swarmKey: null, seed: null, rsa: false, echo: false, identify: false, ping: 0, sendEcho: null, streams: 1, stay: false, timeout: 30, help: false,
    gossip: false, dht: false, relayServer: false, relayListen: null, autonat: false, dcutr: false, observedAddr: [], msgid: null, subscribe: [], meshReport: 0, publish: [], publishMinPeers: 1, publishInvalid: [], awaitMessages: 0, awaitRejected: 0
  }
  const value = (i, name) => {
    if (i + 1 >= argv.length) throw new Error(`${name} needs a value`)
    return argv[i + 1]
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    switch (a) {
      case '--listen': o.listen = true; break
      case '--dial': o.dial = value(i, a); i++; break
      case '--swarm-key': o.swarmKey = value(i, a); i++; break
      case '--seed': {
        const hex = value(i, a); i++
        if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error('--seed needs 64 hex characters (32 bytes)')
        o.seed = Uint8Array.from(Buffer.from(hex, 'hex'))
        break
      }
      case '--rsa': o.rsa = true; break
      case '--echo': o.echo = true; break
      case '--identify': o.identify = true; break
      case '--ping': o.ping = parsePositiveInt(value(i, a), a, 1000); i++; break
      case '--send-echo': o.sendEcho = parseSize(value(i, a)); i++; break
      case '--streams': o.streams = parsePositiveInt(value(i, a), a, MAX_STREAMS); i++; break
      case '--stay': o.stay = true; break
      case '--dht': o.dht = true; break
      case '--relay-server': o.relayServer = true; break
      case '--relay-listen': o.relayListen = value(i, a); i++; break
      case '--autonat': o.autonat = true; break
      case '--observed-addr': o.observedAddr.push(value(i, a)); i++; break
      case '--dcutr': o.dcutr = true; break
      case '--gossip': o.gossip = true; break
      case '--msgid': {
        o.msgid = value(i, a); i++
        if (o.msgid !== 'from-seqno' && o.msgid !== 'default') throw new Error('--msgid needs from-seqno or default')
        break
      }
      case '--subscribe': o.subscribe.push(value(i, a)); i++; break
      case '--mesh-report': o.meshReport = parsePositiveInt(value(i, a), a, 3_600_000); i++; break
      case '--publish': o.publish.push(parseTopicText(value(i, a), a)); i++; break
      case '--publish-min-peers': o.publishMinPeers = parsePositiveInt(value(i, a), a, 1000); i++; break
      case '--publish-invalid': o.publishInvalid.push(parseTopicText(value(i, a), a)); i++; break
      case '--await-messages': o.awaitMessages = parsePositiveInt(value(i, a), a, 1_000_000); i++; break
      case '--await-rejected': o.awaitRejected = parsePositiveInt(value(i, a), a, 1_000_000); i++; break
      case '--timeout': o.timeout = parsePositiveInt(value(i, a), a, 24 * 3600); i++; break
      case '-h': case '--help': o.help = true; break
      default: throw new Error(`unknown argument: ${a}`)
    }
  }
  if (!o.help && o.listen === (o.dial != null)) throw new Error('give exactly one of --listen and --dial <multiaddr>')
  if (o.rsa && o.seed != null) throw new Error('give at most one of --seed and --rsa')
  const needGossip = [['--msgid', o.msgid != null], ['--subscribe', o.subscribe.length > 0], ['--mesh-report', o.meshReport > 0],
    ['--publish', o.publish.length > 0], ['--await-messages', o.awaitMessages > 0], ['--await-rejected', o.awaitRejected > 0]]
  for (const [name, given] of needGossip) if (given && !o.gossip) throw new Error(`${name} needs --gossip`)
  return o
}

/** Yields the pattern of stream s, n bytes, in chunks of at most CHUNK (views of REF, never mutated). */
function * patternChunks (s, n) {
  for (let off = 0; off < n; off += CHUNK) {
    const len = Math.min(CHUNK, n - off)
    const phase = (off + STREAM_PHASE * s) % PATTERN_PERIOD
    yield REF.subarray(phase, phase + len)
  }
}

/** Offset of the first byte of chunk (at stream offset off) that differs from the pattern, or -1. */
function firstMismatch (s, off, chunk) {
  for (let p = 0; p < chunk.length; p += CHUNK) {
    const len = Math.min(CHUNK, chunk.length - p)
    const phase = (off + p + STREAM_PHASE * s) % PATTERN_PERIOD
    const want = REF.subarray(phase, phase + len)
    const got = chunk.subarray(p, p + len)
    if (Buffer.compare(Buffer.from(got.buffer, got.byteOffset, len), Buffer.from(want.buffer, want.byteOffset, len)) !== 0) {
      for (let j = 0; j < len; j++) if (got[j] !== want[j]) return off + p + j
    }
  }
  return -1
}

const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits

class Peer {
  constructor (lib, opts) {
    this.lib = lib
    this.opts = opts
    this.node = null
    this.errors = 0
    this.closing = false
    this.identified = new Map() // peer id string -> IdentifyResult
    this.identifyWaiters = new Map() // peer id string -> [resolve]
    this.actionsStarted = false
    this.actionsPending = opts.dial != null || opts.identify || opts.ping > 0 || opts.sendEcho != null ||
      opts.publish.length > 0 || opts.publishInvalid.length > 0 || opts.awaitMessages > 0 || opts.awaitRejected > 0
    this.gossip = null // a Gossip (gossip.mjs) with --gossip or --publish-invalid
    this.waitingFor = null // () => what an unfinished action waits for, for the timeout message
  }

  error (stage, err, extra = {}) {
    this.errors++
    emit({ event: 'error', stage, message: describe(err), ...extra })
  }

  async run () {
    const { lib, opts } = this
    process.stdin.on('end', () => { void this.shutdown(0, 'stdin closed') })
    process.stdin.on('error', () => { void this.shutdown(0, 'stdin closed') })
    process.stdin.resume()
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { void this.shutdown(0, sig) })
    process.on('uncaughtException', (err) => { this.error('uncaught', err); void this.shutdown(1, 'uncaught exception') })
    process.on('unhandledRejection', (err) => { this.error('uncaught', err); void this.shutdown(1, 'unhandled rejection') })
    this.timer = setTimeout(() => {
      if (this.actionsPending) {
        this.error('timeout', new Error(this.actionsStarted
          ? `actions not finished after ${opts.timeout} s` + (this.waitingFor != null ? `; waiting for ${this.waitingFor()}` : '')
          : `no peer connected within ${opts.timeout} s`))
      }
      void this.shutdown(0, 'timeout')
    }, opts.timeout * 1000)

    const init = {
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [this.reportInboundFailures(lib.tcp())],
      connectionEncrypters: [lib.noise()],
      streamMuxers: [lib.yamux()],
      // Interop tests open many connections from 127.0.0.1 in quick succession; js refuses more
      // than 5 new inbound connections per second per host by default.
      connectionManager: {
        allow: ['/ip4/127.0.0.1'],
        inboundConnectionThreshold: 10_000,
        maxIncomingPendingConnections: 1000,
        maxConnections: 1000
      },
      services: { identify: lib.identify(), ping: lib.ping() }
    }
    if (opts.gossip) init.services.pubsub = lib.gossipsub(gossipOptions(opts))
    if (opts.dht) init.services.dht = lib.kadDHT(dhtOptions(lib))
    let components = null
    try {
      checkRelayLib(opts, lib)
      checkDcutrLib(opts, lib)
      addRelayInit(init, opts, lib, (c) => { components = c })
      addDcutrInit(init, opts, lib, emit, describe)
      if (opts.seed != null) init.privateKey = await lib.generateKeyPairFromSeed('Ed25519', opts.seed)
      if (opts.rsa) init.privateKey = await lib.generateKeyPair('RSA', 2048)
      // Only set when given: js refuses to start when connectionProtector is explicitly null
      // and LIBP2P_FORCE_PNET is set.
      if (opts.swarmKey != null) init.connectionProtector = lib.preSharedKey({ psk: readFileSync(opts.swarmKey) })
      this.node = await lib.createLibp2p(init)
    } catch (err) {
      this.error('start', err)
      return this.shutdown(1, 'start failed')
    }
    const node = this.node

    node.addEventListener('connection:open', (e) => {
      const c = e.detail
      // limited: js's flag for a relayed connection with a relay's limits
      emit({ event: 'connected', peer: c.remotePeer.toString(), direction: c.direction, remoteAddr: c.remoteAddr.toString(), limited: c.limits != null })
      if (opts.listen && this.actionsPending && !this.actionsStarted && c.direction === 'inbound') void this.runActions(c)
    })
    node.addEventListener('connection:close', (e) => {
      const c = e.detail
      emit({ event: 'disconnected', peer: c.remotePeer.toString(), direction: c.direction })
    })
    node.addEventListener('peer:identify', (e) => this.onIdentify(e.detail))

    if (opts.echo) {
      // runOnLimitedConnection: also over relayed (limited) connections (RelayInteropIT)
      await lib.streams.handle(node, ECHO_PROTOCOL, (stream, connection) => this.serveEcho(stream, connection),
        { maxInboundStreams: STREAM_LIMIT, maxOutboundStreams: STREAM_LIMIT, runOnLimitedConnection: true })
    }
    if (opts.publishInvalid.length > 0 && !opts.gossip) {
      // --publish-invalid without gossipsub: still claim /meshsub (reading and dropping what
      // comes in). A js 2.x receiver drops a pubsub peer whose identify lacks /meshsub, together
      // with the RPCs it has not processed yet, e.g. those of our raw stream.
      for (const protocol of MESHSUB_PROTOCOLS) {
        await lib.streams.handle(node, protocol, (stream) => this.drain(stream))
      }
    }
    this.stopRelay = startRelay(node, opts, lib, components, emit)
    emit({
      event: 'listening',
      line: lib.line,
      libp2p: lib.version,
      peerId: node.peerId.toString(),
      keyType: node.peerId.type,
      addrs: node.getMultiaddrs().map(String),
      protocols: node.getProtocols()
    })
    if (opts.dht) new Dht(this, node, lib, emit).start()
    if (opts.gossip || opts.publishInvalid.length > 0) {
      this.gossip = new Gossip(this, node.services.pubsub ?? null, lib, emit)
      this.gossip.minPeers = opts.publishMinPeers
      try {
        if (opts.gossip) this.gossip.start(opts)
      } catch (err) {
        this.error('start', err)
        return this.shutdown(1, 'start failed')
      }
    }

    if (opts.dial != null) {
      let conn
      try {
        conn = await node.dial(lib.multiaddr(opts.dial), { signal: AbortSignal.timeout(10_000) })
      } catch (err) {
        this.error('dial', err)
        return this.shutdown(1, 'dial failed')
      }
      await this.runActions(conn)
    }
  }

  onIdentify (r) {
    const id = r.peerId.toString()
    this.identified.set(id, r)
    if (this.opts.identify) {
      emit({
        event: 'identify',
        peer: id,
        protocolVersion: r.protocolVersion ?? null,
        agentVersion: r.agentVersion ?? null,
        protocols: [...r.protocols],
        listenAddrs: r.listenAddrs.map(String),
        observedAddr: r.observedAddr?.toString() ?? null
      })
    }
    for (const resolve of this.identifyWaiters.get(id) ?? []) resolve(r)
    this.identifyWaiters.delete(id)
  }

  /** js identifies every new connection by itself; wait for that, and ask once more if it never comes. */
  async awaitIdentify (conn) {
    const id = conn.remotePeer.toString()
    if (this.identified.has(id)) return
    let timer
    const arrived = await new Promise((resolve) => {
      const list = this.identifyWaiters.get(id) ?? []
      list.push(() => resolve(true))
      this.identifyWaiters.set(id, list)
      timer = setTimeout(() => resolve(false), IDENTIFY_WAIT_MS)
    })
    clearTimeout(timer)
    if (arrived) return
    // The automatic identify failed silently (js only logs it): run it again to get the error.
    const r = await this.node.services.identify.identify(conn, { signal: AbortSignal.timeout(5000) })
    if (!this.identified.has(id)) this.onIdentify({ ...r, peerId: conn.remotePeer })
  }

  async runActions (conn) {
    const { opts } = this
    this.actionsStarted = true
    const peer = conn.remotePeer
    try {
      if (opts.identify) await this.awaitIdentify(conn)
      for (let seq = 1; seq <= opts.ping; seq++) {
        const rtt = await this.node.services.ping.ping(peer, { signal: AbortSignal.timeout(10_000) })
        emit({ event: 'ping', peer: peer.toString(), seq, rttMs: rtt })
      }
      if (opts.sendEcho != null) await this.sendEcho(conn, opts.sendEcho, opts.streams)
      for (const { topic, text } of opts.publishInvalid) await this.gossip.publishInvalid(conn, topic, text)
      for (const { topic, text } of opts.publish) await this.gossip.publish(topic, text)
      if (opts.awaitMessages > 0) await this.gossip.awaitMessages(opts.awaitMessages)
      if (opts.awaitRejected > 0) await this.gossip.awaitRejected(opts.awaitRejected)
    } catch (err) {
      this.error('action', err, { peer: peer.toString() })
      return this.shutdown(1, 'action failed')
    }
    this.actionsPending = false
    if (opts.dial != null && !opts.stay) {
      // publish() only queues the RPC on the stream and stopping the node drops unsent data
      if (this.gossip?.published > 0) await new Promise((resolve) => setTimeout(resolve, PUBLISH_LINGER_MS))
      return this.shutdown(0, 'done')
    }
  }

  async sendEcho (conn, bytes, k) {
    const t0 = performance.now()
    const results = await Promise.all(Array.from({ length: k }, (_, s) => this.echoOnce(conn, s, bytes)))
    const ms = performance.now() - t0
    const failed = results.filter((r) => !r.ok)
    const total = bytes * k
    emit({ event: 'echo-total', streams: k, bytes: total, ok: failed.length === 0, ms: round(ms), mibPerSec: round(total / 1048576 / (ms / 1000), 2) })
    if (failed.length > 0) {
      const r = failed[0]
      throw new Error(`echo failed on ${failed.length} of ${k} streams; stream ${r.stream}: ` +
        (r.firstMismatch != null ? `first wrong byte at offset ${r.firstMismatch}` : `stream ended after ${r.received} of ${bytes} bytes`))
    }
  }

  async echoOnce (conn, s, n) {
    const { streams } = this.lib
    const stream = await conn.newStream(ECHO_PROTOCOL, { maxOutboundStreams: STREAM_LIMIT, runOnLimitedConnection: true, signal: AbortSignal.timeout(10_000) })
    const t0 = performance.now()
    // Read while writing: the echo comes back under yamux flow control, so writing everything
    // first would stall once both directions' windows are full.
    const writing = streams.sendAll(stream, patternChunks(s, n))
    writing.catch(() => {}) // awaited below; avoid an unhandled rejection while reading fails
    let off = 0
    let bad = -1
    for await (const chunk of streams.chunks(stream)) {
      if (bad < 0) bad = off + chunk.length > n ? Math.max(off, n) : firstMismatch(s, off, chunk)
      off += chunk.length
    }
    await writing
    const ms = performance.now() - t0
    const ok = bad < 0 && off === n
    const ev = { event: 'echo', stream: s, bytes: n, received: off, ok, ms: round(ms), mibPerSec: round(n / 1048576 / (ms / 1000), 2) }
    if (bad >= 0) ev.firstMismatch = bad
    emit(ev)
    return ev
  }

  async drain (stream) {
    try {
      for await (const _ of this.lib.streams.chunks(stream)) {} // eslint-disable-line no-unused-vars
    } catch {}
  }

  async serveEcho (stream, connection) {
    try {
      const bytes = await this.lib.streams.echo(stream)
      emit({ event: 'echoed', peer: connection.remotePeer.toString(), bytes })
    } catch (err) {
      this.error('echo-server', err, { peer: connection.remotePeer.toString() })
      try { stream.abort(err) } catch {}
    }
  }

  /**
   * js only logs a failed inbound upgrade (pnet, mss, Noise, muxer); the dialer sees an error but
   * the listener stays silent. Java dials js listeners, so wrap the TCP transport to hand the
   * listener a Proxy of the upgrader that prints those failures.
   */
  reportInboundFailures (transportFactory) {
    const peer = this
    const bindAll = (target, overrides) => new Proxy(target, {
      get (t, prop) {
        if (Object.hasOwn(overrides, prop)) return overrides[prop]
        const v = Reflect.get(t, prop, t)
        return typeof v === 'function' ? v.bind(t) : v
      }
    })
    return (components) => {
      const transport = transportFactory(components)
      return bindAll(transport, {
        createListener (options) {
          const upgrader = bindAll(options.upgrader, {
            async upgradeInbound (maConn, opts) {
              try {
                return await options.upgrader.upgradeInbound(maConn, opts)
              } catch (err) {
                if (!peer.closing) peer.error('inbound-upgrade', err, { remoteAddr: maConn.remoteAddr?.toString() })
                throw err
              }
            }
          })
          return transport.createListener({ ...options, upgrader })
        }
      })
    }
  }

  async shutdown (code, reason) {
    if (this.closing) return
    this.closing = true
    clearTimeout(this.timer)
    this.gossip?.stop()
    this.stopRelay?.()
    if (this.node != null) {
      let timer
      await Promise.race([
        this.node.stop().catch(() => {}),
        new Promise((resolve) => { timer = setTimeout(resolve, 3000) })
      ])
      clearTimeout(timer)
    }
    const exit = this.errors > 0 ? Math.max(code, 1) : code
    emit({ event: 'closed', reason, errors: this.errors, code: exit })
    process.exit(exit)
  }
}

/**
 * Runs the peer. lib = { line, version, createLibp2p, tcp, noise, yamux, identify, ping, gossipsub,
 * kadDHT, passthroughMapper, peerIdFromString, CID (for --dht), circuitRelayServer,
 * circuitRelayTransport, autoNATv2 (for relay.mjs; autoNATv2 3.x only), dcutr (3.x only),
 * preSharedKey, generateKeyPair, generateKeyPairFromSeed, publicKeyToProtobuf, multiaddr,
 * streams: { handle, chunks, sendAll, echo } }.
 */
export async function main (lib) {
  let opts
  try {
    opts = parseArgs(process.argv.slice(2))
  } catch (err) {
    emit({ event: 'error', stage: 'usage', message: err.message })
    process.stderr.write(USAGE)
    process.exit(2)
  }
  if (opts.help) {
    process.stdout.write(USAGE)
    process.exit(0)
  }
  await new Peer(lib, opts).run()
}

/** The libp2p version installed next to an entry file (for the 'listening' event). */
export function installedVersion (entryUrl) {
  try {
    return JSON.parse(readFileSync(new URL('./node_modules/libp2p/package.json', entryUrl), 'utf8')).version
  } catch {
    return null
  }
}
