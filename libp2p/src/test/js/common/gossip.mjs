// GossipSub for the interop peer (--gossip and friends), shared by the 2.x and 3.x lines.
//
// Like peer.mjs this module imports no npm package: the entry file hands over the line's
// `gossipsub` factory and `publicKeyToProtobuf`. Both lines' gossipsub classes are driven
// through their public API (subscribe, publish, getSubscribers, getMeshPeers, events), plus
// three instance fields that only exist in the JavaScript (they are private in the TypeScript
// types): `msgIdFn` (wrapped to learn the id and seqno of our own publishes, which publish()
// does not return), `validateReceivedMessage` (wrapped to print rejected messages, which js
// only logs) and `streamsOutbound` (the per-peer write stream, to inject a hand-built RPC for
// --publish-invalid). Both packages are pinned, so these cannot move under us silently; the
// selftest exercises each of them on both lines.

import { randomBytes } from 'node:crypto'

export const MESHSUB_PROTOCOLS = ['/meshsub/1.2.0', '/meshsub/1.1.0', '/meshsub/1.0.0']
const POLL_MS = 50
/** A dialer that published and is about to exit waits this long so the queued RPCs leave. */
export const PUBLISH_LINGER_MS = 500

export const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
const utf8 = new TextEncoder()
const utf8Decoder = new TextDecoder('utf-8', { fatal: false })

/** The 8-byte big-endian form of a seqno (js hands it over as a bigint). */
export function seqnoBytes (seqno) {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, seqno), false)
  return out
}

function concat (...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}

/**
 * The message id the Java side uses by default (go-libp2p-pubsub's rule): the raw bytes of the
 * author's peer id (its multihash) followed by the 8-byte seqno. js's own default is
 * PublicKey-protobuf(key) || seqno instead (see ../README.md).
 */
export function fromSeqnoMsgId (msg) {
  if (msg.type !== 'signed') throw new Error('from-seqno message ids need signed messages')
  return concat(msg.from.toMultihash().bytes, seqnoBytes(msg.sequenceNumber))
}

// Minimal protobuf writer for the pubsub RPC (libp2p pubsub spec, rpc.proto): enough to build
// RPC{publish: [Message{from=1, data=2, seqno=3, topic=4, signature=5, key=6}]} by hand.
function varint (n) {
  const out = []
  let v = BigInt(n)
  do {
    let b = Number(v & 0x7fn)
    v >>= 7n
    if (v > 0n) b |= 0x80
    out.push(b)
  } while (v > 0n)
  return Uint8Array.from(out)
}
const bytesField = (field, value) => concat(varint((field << 3) | 2), varint(value.length), value)

export function encodeMessage ({ from, data, seqno, topic, signature, key }) {
  return concat(
    bytesField(1, from), bytesField(2, data), bytesField(3, seqno),
    bytesField(4, utf8.encode(topic)), bytesField(5, signature), bytesField(6, key))
}

/** RPC{publish: [message]} as an unprefixed protobuf (js's OutboundStream adds the varint length). */
export const encodePublishRpc = (messageBytes) => bytesField(2, messageBytes)
export const lengthPrefixed = (bytes) => concat(varint(bytes.length), bytes)

// base58btc (the Bitcoin alphabet), for printing the `from` of a rejected message as a peer id.
const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58 (bytes) {
  let n = 0n
  for (const b of bytes) n = n * 256n + BigInt(b)
  let s = ''
  while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n }
  for (const b of bytes) { if (b !== 0) break; s = '1' + s }
  return s
}

/** Splits `topic=text` at the first '='. */
export function parseTopicText (s, name) {
  const i = (s ?? '').indexOf('=')
  if (i <= 0) throw new Error(`${name} needs <topic>=<text>, got ${s}`)
  return { topic: s.slice(0, i), text: s.slice(i + 1) }
}

/** The gossipsub service options for --gossip (see ../README.md). */
export function gossipOptions (opts) {
  const o = {
    globalSignaturePolicy: 'StrictSign',
    emitSelf: false,
    fallbackToFloodsub: true,
    allowPublishToZeroTopicPeers: false,
    // Printed and compared as hex; the wire always carries the id bytes.
    msgIdToStrFn: hex,
    // Every test peer is on 127.0.0.1: without this, P6 (IP colocation) turns negative beyond
    // 10 peers and js stops gossiping with (-10), publishing to (-50) or hearing (-80) them.
    scoreParams: { IPColocationFactorWeight: 0, IPColocationFactorWhitelist: new Set(['127.0.0.1']) }
  }
  if (opts.msgid === 'from-seqno') o.msgIdFn = fromSeqnoMsgId
  return o
}

export class Gossip {
  /** peer: the Peer of peer.mjs (emit, error), gs: node.services.pubsub. */
  constructor (peer, gs, lib, emit) {
    this.peer = peer
    this.gs = gs
    this.lib = lib
    this.emit = emit
    this.node = peer.node
    this.messages = 0
    this.rejected = 0
    this.waiters = [] // { check: () => boolean, resolve }
    this.capture = null // { data, id, seqno } while our own publish() runs
    this.published = 0
    this.invalidSeqno = BigInt(Date.now()) * 1_000_000n
  }

  start (opts) {
    const { gs, emit } = this
    const innerMsgIdFn = gs.msgIdFn
    if (typeof innerMsgIdFn !== 'function' || typeof gs.validateReceivedMessage !== 'function' || !(gs.streamsOutbound instanceof Map)) {
      throw new Error('this gossipsub version lacks msgIdFn / validateReceivedMessage / streamsOutbound')
    }
    // publish() computes the id of our own message through msgIdFn with the very `data` object
    // we passed it: recognise that call to learn the id and the seqno js chose.
    gs.msgIdFn = async (msg) => {
      const id = await innerMsgIdFn.call(gs, msg)
      const c = this.capture
      if (c != null && msg.data === c.data) { c.id = id; c.seqno = msg.sequenceNumber }
      return id
    }
    const innerValidate = gs.validateReceivedMessage
    gs.validateReceivedMessage = async (source, rpcMsg) => {
      const r = await innerValidate.call(gs, source, rpcMsg)
      if (r.code === 'invalid') {
        this.rejected++
        emit({
          event: 'rejected',
          peer: source.toString(),
          topic: rpcMsg.topic,
          reason: r.reason ?? null,
          error: r.error ?? null,
          from: rpcMsg.from != null ? base58(rpcMsg.from) : null,
          seqno: rpcMsg.seqno != null ? hex(rpcMsg.seqno) : null,
          data: rpcMsg.data != null ? utf8Decoder.decode(rpcMsg.data) : null
        })
        this.wake()
      }
      return r
    }

    gs.addEventListener('gossipsub:message', (e) => {
      const { propagationSource, msgId, msg } = e.detail
      this.messages++
      emit({
        event: 'message',
        topic: msg.topic,
        from: msg.type === 'signed' ? msg.from.toString() : null,
        via: propagationSource.toString(),
        data: utf8Decoder.decode(msg.data),
        seqno: msg.type === 'signed' ? hex(seqnoBytes(msg.sequenceNumber)) : null,
        msgId
      })
      this.wake()
    })
    gs.addEventListener('subscription-change', (e) => {
      const { peerId, subscriptions } = e.detail
      for (const s of subscriptions) emit({ event: 'subscription-change', peer: peerId.toString(), topic: s.topic, subscribe: s.subscribe })
      this.wake()
    })
    for (const kind of ['graft', 'prune']) {
      gs.addEventListener(`gossipsub:${kind}`, (e) => {
        const { peerId, topic, direction } = e.detail
        // direction: inbound = the remote sent it, outbound = we sent it. An inbound GRAFT that
        // js refused (backoff, not subscribed, mesh full) is reported too, with inMesh false.
        emit({ event: kind, peer: String(peerId), topic, direction, inMesh: gs.getMeshPeers(topic).includes(String(peerId)) })
        this.wake()
      })
    }

    for (const topic of opts.subscribe) {
      gs.subscribe(topic)
      emit({ event: 'subscribed', topic })
    }
    if (opts.meshReport > 0) {
      this.meshTimer = setInterval(() => {
        for (const topic of gs.getTopics()) emit({ event: 'mesh', topic, peers: gs.getMeshPeers(topic) })
      }, opts.meshReport)
    }
  }

  stop () {
    clearInterval(this.meshTimer)
  }

  wake () {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true
      w.resolve()
      return false
    })
  }

  /** Resolves once check() holds; re-checked on every gossip event and every POLL_MS. */
  async until (check, what) {
    this.peer.waitingFor = what // a function: the description at the time of a timeout
    if (!check()) {
      let timer
      await new Promise((resolve) => {
        this.waiters.push({ check, resolve })
        timer = setInterval(() => this.wake(), POLL_MS)
      })
      clearInterval(timer)
    }
    this.peer.waitingFor = null
  }

  /** A subscriber of the topic that we also have a write stream to (so publish reaches it). */
  readySubscribers (topic) {
    return this.gs.getSubscribers(topic).filter((p) => this.gs.streamsOutbound.has(p.toString()))
  }

  async publish (topic, text) {
    const min = this.minPeers ?? 1
    await this.until(() => this.readySubscribers(topic).length >= min, () => `${min} subscriber(s) of topic ${topic}`)
    const data = utf8.encode(text)
    this.capture = { data, id: null, seqno: null }
    let result
    try {
      result = await this.gs.publish(topic, data)
    } finally {
      this.capture.data = null
    }
    const { id, seqno } = this.capture
    this.capture = null
    this.published++
    const recipients = result.recipients.map(String)
    this.emit({
      event: 'published',
      topic,
      data: text,
      msgId: id != null ? hex(id) : null,
      seqno: seqno != null ? hex(seqnoBytes(seqno)) : null,
      recipients: recipients.length,
      peers: recipients
    })
    if (recipients.length === 0) throw new Error(`publish to ${topic} reached no peer`)
  }

  /**
   * Sends RPC{publish: [m]} where m is a message of ours that is complete and well-formed except
   * that its signature is 64 random bytes. With --gossip it goes on the existing gossip write
   * stream to the peer: a second stream would replace the one the remote reads our gossip from
   * (js closes the older inbound stream), cutting off everything we publish afterwards. Without
   * --gossip it goes on a new /meshsub stream that is half-closed after the RPC.
   */
  async publishInvalid (conn, topic, text) {
    const self = this.node.peerId
    const from = self.toMultihash().bytes
    const seqno = seqnoBytes(++this.invalidSeqno)
    const m = encodeMessage({
      from,
      data: utf8.encode(text),
      seqno,
      topic,
      signature: randomBytes(64),
      key: this.lib.publicKeyToProtobuf(self.publicKey)
    })
    const rpc = encodePublishRpc(m)
    const id = conn.remotePeer.toString()
    let via, protocol
    if (this.gs != null) {
      await this.until(() => this.gs.streamsOutbound.has(id) && this.gs.getSubscribers(topic).some((p) => p.toString() === id),
        () => `peer ${id} to subscribe to ${topic} (for --publish-invalid)`)
      const outbound = this.gs.streamsOutbound.get(id)
      outbound.push(rpc)
      via = 'gossip-stream'
      protocol = outbound.protocol
    } else {
      const stream = await conn.newStream(MESHSUB_PROTOCOLS, { signal: AbortSignal.timeout(10_000) })
      await this.lib.streams.sendAll(stream, [lengthPrefixed(rpc)])
      via = 'raw-stream'
      protocol = stream.protocol
    }
    this.published++
    this.emit({ event: 'published-invalid', topic, data: text, peer: id, via, protocol, seqno: hex(seqno), msgId: hex(concat(from, seqno)) })
  }

  async awaitMessages (n) {
    await this.until(() => this.messages >= n, () => `${n} gossip message(s), got ${this.messages}`)
  }

  async awaitRejected (n) {
    await this.until(() => this.rejected >= n, () => `${n} rejected message(s), got ${this.rejected}`)
  }
}
