// The Kademlia DHT of the interop peer (`--dht`): @libp2p/kad-dht in server mode on
// /ipfs/kad/1.0.0, driven by commands on stdin. Imports no npm package (see peer.mjs): the line's
// entry file hands over kadDHT, passthroughMapper and CID.
//
// Commands, one per line on stdin: `<id> <command> <args...>`; each ends with one `dht-result`
// event carrying the same id (see ../README.md, "DHT"):
//   <id> provide <cid>             announce ourselves as a provider of the CID (ADD_PROVIDER to the closest)
//   <id> find-providers <cid> [n]  providers of the CID: our store, then GET_PROVIDERS lookups; stop at n
//   <id> find-peer <peer id>       FIND_NODE lookup of a peer
//   <id> closest <peer id>         the closest peers to a peer ID's key (getClosestPeers)
//   <id> put <key hex> <value hex> PUT_VALUE (validated locally first: /pk/ records only)
//   <id> get <key hex>             GET_VALUE lookup; the best valid value

export const DHT_PROTOCOL = '/ipfs/kad/1.0.0'
const QUERY_TIMEOUT_MS = 20_000

/** The kad-dht service options: server mode, the public protocol, loopback addresses kept. */
export function dhtOptions (lib) {
  return {
    protocol: DHT_PROTOCOL,
    clientMode: false,
    // js drops private (loopback, RFC 1918) addresses from routing-table entries and answers by
    // default (removePrivateAddressesMapper); the interop peers all live on 127.0.0.1.
    peerInfoMapper: lib.passthroughMapper,
    // No waiting for a full table: the tests run with one or two peers.
    allowQueryWithZeroPeers: true
  }
}

const hex = (bytes) => Buffer.from(bytes).toString('hex')
const peerJson = (p) => ({ peer: p.id.toString(), addrs: (p.multiaddrs ?? []).map(String) })

export class Dht {
  constructor (peer, node, lib, emit) {
    this.peer = peer
    this.node = node
    this.lib = lib
    this.emit = emit
    this.dht = node.services.dht
  }

  start () {
    const table = this.dht.routingTable
    table?.addEventListener?.('peer:add', (e) => this.emit({ event: 'dht-peer-added', peer: e.detail.toString() }))
    table?.addEventListener?.('peer:remove', (e) => this.emit({ event: 'dht-peer-removed', peer: e.detail.toString() }))
    let pending = ''
    process.stdin.setEncoding('utf8')
    process.stdin.on('data', (chunk) => {
      pending += chunk
      let nl
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim()
        pending = pending.slice(nl + 1)
        if (line !== '') void this.run(line)
      }
    })
    this.emit({ event: 'dht-ready', mode: this.dht.getMode(), protocol: DHT_PROTOCOL })
  }

  async run (line) {
    const [id, cmd, ...args] = line.split(/\s+/)
    const result = { event: 'dht-result', id, cmd, ok: true, responses: [], errors: [] }
    const signal = AbortSignal.timeout(QUERY_TIMEOUT_MS)
    try {
      switch (cmd) {
        case 'provide':
          await this.drain(this.dht.provide(this.lib.CID.parse(args[0]), { signal }), result)
          break
        case 'find-providers': {
          const wanted = args[1] != null ? Number(args[1]) : Infinity
          result.providers = []
          const seen = new Set()
          for await (const ev of this.dht.findProviders(this.lib.CID.parse(args[0]), { signal })) {
            this.note(ev, result)
            if (ev.name === 'PROVIDER') {
              for (const p of ev.providers) {
                if (!seen.has(p.id.toString())) {
                  seen.add(p.id.toString())
                  result.providers.push({ ...peerJson(p), from: ev.from.toString() })
                }
              }
              if (result.providers.length >= wanted) break
            }
          }
          break
        }
        case 'find-peer':
          result.found = null
          for await (const ev of this.dht.findPeer(this.lib.peerIdFromString(args[0]), { signal })) {
            this.note(ev, result)
            if (ev.name === 'FINAL_PEER') result.found = peerJson(ev.peer)
          }
          break
        case 'closest':
          result.peers = []
          for await (const ev of this.dht.getClosestPeers(this.lib.peerIdFromString(args[0]).toMultihash().bytes, { signal })) {
            this.note(ev, result)
            if (ev.name === 'FINAL_PEER') result.peers.push(peerJson(ev.peer))
          }
          break
        case 'put':
          await this.drain(this.dht.put(Buffer.from(args[0], 'hex'), Buffer.from(args[1], 'hex'), { signal }), result)
          break
        case 'get':
          result.value = null
          for await (const ev of this.dht.get(Buffer.from(args[0], 'hex'), { signal })) {
            this.note(ev, result)
            if (ev.name === 'VALUE') result.value = hex(ev.value)
          }
          break
        default:
          throw new Error(`unknown dht command: ${cmd}`)
      }
    } catch (err) {
      result.ok = false
      result.error = err?.message ?? String(err)
    }
    this.emit(result)
  }

  async drain (events, result) {
    for await (const ev of events) this.note(ev, result)
  }

  /** Keeps who answered what (PEER_RESPONSE) and who failed (QUERY_ERROR). */
  note (ev, result) {
    if (ev.name === 'PEER_RESPONSE') {
      result.responses.push({ peer: ev.from.toString(), type: ev.messageName, closer: ev.closer.length, providers: ev.providers.length, record: ev.record != null })
    } else if (ev.name === 'QUERY_ERROR') {
      result.errors.push({ peer: ev.from.toString(), message: ev.error?.message ?? String(ev.error) })
    }
  }
}
