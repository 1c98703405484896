// js-libp2p 2.x interop peer. Usage: see ../README.md or `node peer.mjs --help`.
// The polyfill must stay the first import (Node 20 lacks Promise.withResolvers).
import '../common/polyfill.mjs'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPair, generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { installedVersion, main } from '../common/peer.mjs'

// 2.x streams are duplexes: an async-iterable `source` of Uint8ArrayList and a `sink` that
// consumes an iterable and closes the write side when it ends.
const streams = {
  handle: (node, protocol, fn, options) => node.handle(protocol, ({ stream, connection }) => fn(stream, connection), options),
  async * chunks (stream) {
    for await (const c of stream.source) {
      if (c instanceof Uint8Array) yield c
      else yield * c
    }
  },
  sendAll: (stream, source) => stream.sink(source),
  async echo (stream) {
    let bytes = 0
    await stream.sink((async function * () {
      for await (const c of stream.source) {
        bytes += c.byteLength
        yield c
      }
    })())
    return bytes
  }
}

await main({
  line: 'v2',
  version: installedVersion(import.meta.url),
  createLibp2p, tcp, noise, yamux, identify, ping, gossipsub, preSharedKey, generateKeyPair, generateKeyPairFromSeed, publicKeyToProtobuf, multiaddr, streams,
  kadDHT, passthroughMapper, peerIdFromString, CID,
  circuitRelayServer, circuitRelayTransport // no AutoNAT v2 package exists for libp2p 2.x
})
