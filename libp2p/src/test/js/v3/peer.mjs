// js-libp2p 3.x interop peer. Usage: see ../README.md or `node peer.mjs --help`.
// The polyfill must stay the first import (Node 20 lacks Promise.withResolvers).
import '../common/polyfill.mjs'
import { noise } from '@chainsafe/libp2p-noise'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { generateKeyPair, generateKeyPairFromSeed, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromString } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { CID } from 'multiformats/cid'
import { installedVersion, main } from '../common/peer.mjs'

// 3.x streams are event targets that are also async-iterable (Uint8Array or Uint8ArrayList);
// `send` returns false when the caller must wait for `onDrain`, and `close` half-closes.
async function sendAll (stream, source) {
  for (const c of source) {
    if (!stream.send(c)) await stream.onDrain()
  }
  await stream.close()
}

const streams = {
  handle: (node, protocol, fn, options) => node.handle(protocol, fn, options),
  async * chunks (stream) {
    for await (const c of stream) {
      if (c instanceof Uint8Array) yield c
      else yield * c
    }
  },
  sendAll,
  async echo (stream) {
    let bytes = 0
    for await (const c of stream) {
      bytes += c.byteLength
      if (!stream.send(c)) await stream.onDrain()
    }
    await stream.close()
    return bytes
  }
}

await main({
  line: 'v3',
  version: installedVersion(import.meta.url),
  createLibp2p, tcp, noise, yamux, identify, ping, gossipsub, preSharedKey, generateKeyPair, generateKeyPairFromSeed, publicKeyToProtobuf, multiaddr, streams,
  kadDHT, passthroughMapper, peerIdFromString, CID,
  circuitRelayServer, circuitRelayTransport, autoNATv2, dcutr
})
