// Helia (IPFS in js) interop peer for Bitswap. Usage: see ../README.md ("Helia") or --help.
// The polyfill must stay the first import (Node 20 lacks Promise.withResolvers).
import '../common/polyfill.mjs'
import { readFileSync, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { noise } from '@chainsafe/libp2p-noise'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { unixfs } from '@helia/unixfs'
import * as dagPb from '@ipld/dag-pb'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createHeliaLight } from 'helia'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'

const USAGE = `node helia/peer.mjs [--dial <multiaddr>] [--timeout <s>]
A Helia node on TCP + Noise + Yamux (identify, ping, Bitswap; no DHT, no HTTP) listening on
/ip4/127.0.0.1/tcp/0. Commands come on stdin, one JSON object per line, each answered by one
"result" event with the same "id":
  {"id":"1","cmd":"put","file":"<path>"}     store the file's bytes as one raw block -> cid
  {"id":"2","cmd":"add","file":"<path>"}     add the file as UnixFS (CIDv1, raw leaves, 1 MiB chunks,
                                             balanced DAG) -> cid (root), leaves (raw leaf CIDs in order)
  {"id":"3","cmd":"get","cid":"<cid>","file":"<path>","timeoutMs":30000}
                                             fetch one block (local or over Bitswap) -> bytes
  {"id":"4","cmd":"cat","cid":"<cid>","file":"<path>","timeoutMs":30000}
                                             read a UnixFS file -> bytes
  {"id":"5","cmd":"dial","addr":"<multiaddr>"} connect to a peer -> peer
  {"id":"6","cmd":"has","cid":"<cid>"}       whether the block is in the local blockstore -> has
The peer exits when stdin closes, on SIGTERM, or after --timeout seconds (default 120).`

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

function describe (err) {
  if (err == null) return 'unknown error'
  const name = err.name != null && err.name !== 'Error' ? `${err.name}: ` : ''
  return `${name}${err.message ?? String(err)}`
}

function version (pkg) {
  try {
    return JSON.parse(readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version
  } catch {
    return null
  }
}

function parseArgs (argv) {
  const o = { dial: null, timeout: 120, help: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--help') o.help = true
    else if (a === '--listen') { /* always listens; accepted for JsPeer.listen */ } else if (a === '--dial') o.dial = argv[++i]
    else if (a === '--timeout') o.timeout = Number(argv[++i])
    else throw new Error(`unknown option ${a}`)
  }
  if (!(o.timeout > 0)) throw new Error('--timeout needs a positive number of seconds')
  return o
}

async function collect (source) {
  const chunks = []
  let n = 0
  for await (const c of source) {
    chunks.push(c)
    n += c.byteLength
  }
  const out = new Uint8Array(n)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

let opts
try {
  opts = parseArgs(process.argv.slice(2))
} catch (err) {
  emit({ event: 'error', stage: 'usage', message: err.message })
  process.stderr.write(USAGE + '\n')
  process.exit(2)
}
if (opts.help) {
  process.stdout.write(USAGE + '\n')
  process.exit(0)
}

let errors = 0
let helia = null
let closing = false

async function shutdown (code, reason) {
  if (closing) return
  closing = true
  if (helia != null) {
    let timer
    await Promise.race([
      helia.stop().catch(() => {}),
      new Promise((resolve) => { timer = setTimeout(resolve, 3000) })
    ])
    clearTimeout(timer)
  }
  const exit = errors > 0 ? Math.max(code, 1) : code
  emit({ event: 'closed', reason, errors, code: exit })
  process.exit(exit)
}

function error (stage, err, extra = {}) {
  errors++
  emit({ event: 'error', stage, message: describe(err), ...extra })
}

process.on('uncaughtException', (err) => { error('uncaught', err); void shutdown(1, 'uncaught exception') })
process.on('unhandledRejection', (err) => { error('uncaught', err); void shutdown(1, 'unhandled rejection') })
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { void shutdown(0, sig) })
const timer = setTimeout(() => { void shutdown(0, 'timeout') }, opts.timeout * 1000)
timer.unref()

try {
  // createHeliaLight + mixins: only what we name runs (no HTTP gateways, no delegated routing,
  // no DHT, no autoTLS); the memory blockstore and datastore are Helia's defaults.
  helia = withBitswap(withLibp2pLight(createHeliaLight({}), {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: {
      allow: ['/ip4/127.0.0.1'],
      inboundConnectionThreshold: 10_000,
      maxIncomingPendingConnections: 1000,
      maxConnections: 1000
    },
    services: { identify: identify(), ping: ping() }
  }))
  await helia.start()
} catch (err) {
  error('start', err)
  await shutdown(1, 'start failed')
}

const node = helia.libp2p
const fs = unixfs(helia)
node.addEventListener('connection:open', (e) => {
  const c = e.detail
  emit({ event: 'connected', peer: c.remotePeer.toString(), direction: c.direction, remoteAddr: c.remoteAddr.toString() })
})
node.addEventListener('connection:close', (e) => {
  const c = e.detail
  emit({ event: 'disconnected', peer: c.remotePeer.toString(), direction: c.direction })
})
node.addEventListener('peer:identify', (e) => {
  const r = e.detail
  emit({ event: 'identify', peer: r.peerId.toString(), protocols: r.protocols })
})

emit({
  event: 'listening',
  line: 'helia',
  helia: version('helia'),
  bitswap: version('@helia/bitswap'),
  libp2p: version('libp2p'),
  peerId: node.peerId.toString(),
  keyType: node.peerId.type,
  addrs: node.getMultiaddrs().map(String),
  protocols: node.getProtocols()
})

if (opts.dial != null) {
  try {
    await node.dial(multiaddr(opts.dial))
  } catch (err) {
    error('dial', err, { remoteAddr: opts.dial })
  }
}

const commands = {
  async put (c) {
    const bytes = readFileSync(c.file)
    const cid = CID.createV1(raw.code, await sha256.digest(bytes))
    await helia.blockstore.put(cid, bytes)
    return { cid: cid.toString(), bytes: bytes.byteLength }
  },
  async add (c) {
    const bytes = readFileSync(c.file)
    // @helia/unixfs's defaults, which are what we want: CIDv1, raw leaves, fixed 1 MiB chunks,
    // balanced layout of up to 1024 links a node.
    const cid = await fs.addBytes(bytes)
    let leaves = [cid.toString()]
    if (cid.code === dagPb.code) {
      const root = dagPb.decode(await collect(helia.blockstore.get(cid, { offline: true })))
      leaves = root.Links.map((l) => l.Hash.toString())
    }
    return { cid: cid.toString(), leaves, bytes: bytes.byteLength }
  },
  async get (c) {
    const cid = CID.parse(c.cid)
    const bytes = await collect(helia.blockstore.get(cid, { signal: AbortSignal.timeout(c.timeoutMs ?? 30_000) }))
    if (c.file != null) writeFileSync(c.file, bytes)
    return { cid: cid.toString(), bytes: bytes.byteLength }
  },
  async cat (c) {
    const cid = CID.parse(c.cid)
    const bytes = await collect(fs.cat(cid, { signal: AbortSignal.timeout(c.timeoutMs ?? 30_000) }))
    if (c.file != null) writeFileSync(c.file, bytes)
    return { cid: cid.toString(), bytes: bytes.byteLength }
  },
  async dial (c) {
    const conn = await node.dial(multiaddr(c.addr))
    return { peer: conn.remotePeer.toString() }
  },
  async has (c) {
    return { has: await helia.blockstore.has(CID.parse(c.cid)) }
  }
}

const lines = createInterface({ input: process.stdin })
lines.on('line', (text) => {
  if (text.trim() === '') return
  let c
  try {
    c = JSON.parse(text)
  } catch (err) {
    error('command', err, { line: text })
    return
  }
  const run = commands[c.cmd]
  if (run == null) {
    emit({ event: 'result', id: c.id ?? null, cmd: c.cmd ?? null, ok: false, error: `unknown command ${c.cmd}` })
    return
  }
  run(c).then(
    (r) => emit({ event: 'result', id: c.id ?? null, cmd: c.cmd, ok: true, ...r }),
    (err) => emit({ event: 'result', id: c.id ?? null, cmd: c.cmd, ok: false, error: describe(err) })
  )
})
lines.on('close', () => { void shutdown(0, 'stdin closed') })
