// Circuit relay v2 (both lines) and AutoNAT v2 (3.x only) for the interop peer. Imports no npm
// package (see peer.mjs): the line's entry file hands over circuitRelayServer,
// circuitRelayTransport and autoNATv2. See ../README.md, "Relay and AutoNAT".
//
//   --relay-server          run @libp2p/circuit-relay-v2's hop server; print `relay-reservation`
//                           for every peer that gets a reservation
//   --relay-listen <addr>   reserve a slot on the relay at <addr> (/ip4/.../tcp/.../p2p/<relay>)
//                           through js's circuit transport; print `relay-listening` with our
//                           circuit addresses once js advertises them
//   --autonat               run @libp2p/autonat-v2 (client and server, js defaults)
//   --observed-addr <addr>  add <addr> to js's observed addresses (unverified), so that js's AutoNAT
//                           client has a non-private address to ask about (it never asks about
//                           loopback ones)
// A --dial to a /p2p-circuit address adds the circuit transport too.

const RESERVATION_POLL_MS = 100

/** Whether these options need the circuit transport. */
export function needsCircuitTransport (opts) {
  return opts.relayListen != null || (opts.dial ?? '').includes('/p2p-circuit')
}

/** Checks the relay/AutoNAT options against what this line's entry file provides. */
export function checkRelayLib (opts, lib) {
  const need = [
    ['--relay-server', opts.relayServer, lib.circuitRelayServer],
    ['--relay-listen or a /p2p-circuit --dial', needsCircuitTransport(opts), lib.circuitRelayTransport],
    ['--autonat', opts.autonat, lib.autoNATv2]
  ]
  for (const [name, given, fn] of need) {
    if (given && fn == null) throw new Error(`${name} is not available in the ${lib.line} line`)
  }
  if (opts.observedAddr.length > 0 && !opts.autonat) throw new Error('--observed-addr needs --autonat')
}

/**
 * Adds transports, listen addresses and services to the libp2p init. The circuit transport is
 * told to listen on `<relay>/p2p-circuit` (js's way of reserving on one given relay); js refuses
 * to start if that reservation fails.
 */
export function addRelayInit (init, opts, lib, grab) {
  if (needsCircuitTransport(opts)) {
    init.transports.push(lib.circuitRelayTransport())
  }
  if (opts.relayListen != null) {
    const relay = opts.relayListen.replace(/\/p2p-circuit$/, '')
    if (!relay.includes('/p2p/')) throw new Error('--relay-listen needs the relay\'s /p2p/<id>')
    init.addresses.listen.push(`${relay}/p2p-circuit`)
  }
  if (opts.relayServer) {
    // js defaults otherwise: 15 reservations, 2 h each, circuits limited to 2 min and 128 KiB
    init.services.relay = lib.circuitRelayServer()
  }
  if (opts.autonat) {
    init.services.autonat = lib.autoNATv2()
  }
  if (opts.observedAddr.length > 0) {
    // js hands its components only to services: a service that keeps them
    init.services.components = (components) => { grab(components); return {} }
  }
}

/** After start: the events of --relay-server and --relay-listen, and --observed-addr. */
export function startRelay (node, opts, lib, components, emit) {
  const timers = []
  if (opts.relayServer) {
    // js's server keeps its reservations in a PeerMap and dispatches no event for new ones
    const seen = new Set()
    timers.push(setInterval(() => {
      for (const [peer, r] of node.services.relay.reservations.entries()) {
        const id = peer.toString()
        if (seen.has(id)) continue
        seen.add(id)
        emit({ event: 'relay-reservation', peer: id, expiry: r.expiry.toISOString(), addr: r.addr.toString(), limit: limitJson(r.limit) })
      }
      for (const id of [...seen]) {
        if (!node.services.relay.reservations.has(lib.peerIdFromString(id))) {
          seen.delete(id)
          emit({ event: 'relay-reservation-ended', peer: id })
        }
      }
    }, RESERVATION_POLL_MS))
  }
  if (opts.relayListen != null) {
    let last = ''
    const report = () => {
      const addrs = node.getMultiaddrs().map(String).filter((a) => a.includes('/p2p-circuit'))
      const key = addrs.join(' ')
      if (addrs.length > 0 && key !== last) {
        last = key
        emit({ event: 'relay-listening', addrs })
      }
    }
    node.addEventListener('self:peer:update', report)
    report()
  }
  for (const a of opts.observedAddr) {
    components.addressManager.addObservedAddr(lib.multiaddr(a))
  }
  if (opts.observedAddr.length > 0) {
    emit({ event: 'observed-addrs', addrs: components.addressManager.getAddressesWithMetadata().map((a) => ({ addr: a.multiaddr.toString(), type: a.type, verified: a.verified })) })
  }
  return () => timers.forEach(clearInterval)
}

function limitJson (limit) {
  if (limit == null) return null
  return { duration: limit.duration ?? null, data: limit.data != null ? String(limit.data) : null }
}
