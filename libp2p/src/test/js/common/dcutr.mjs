// DCUtR (/libp2p/dcutr, hole punching) for the interop peer, 3.x only. Imports no npm package
// (see peer.mjs): the line's entry file hands over dcutr(). See ../README.md, "DCUtR".
//
//   --dcutr   run @libp2p/dcutr (js defaults: 5 s per attempt, 3 attempts) and print one `dcutr`
//             event per step js takes
//
// js's DCUtR service dispatches no events and returns nothing to its caller: all it says about a
// hole punch is what it logs (component `libp2p:dcutr`). So the service is built with a logger
// that, next to js's own logging, prints every log call as a `dcutr` event: the step (from the
// log's format string, below), which side js plays (B = the inbound side of the relayed
// connection, which starts the exchange; A = the side that dialled the relay) and the rendered
// arguments. Before each CONNECT js sends, the event also carries the addresses it puts in it
// (`addressManager.getAddresses()`, the same call js makes right after that log line).

// js's format string -> [role, step]. Whatever is not listed is printed with step `log`.
const STEPS = new Map([
  ['peer %p has no public addresses, not attempting unilateral connection upgrade', ['B', 'no-unilateral']],
  ['attempting unilateral connection upgrade to %a', ['B', 'unilateral']],
  ['unilateral connection upgrade to %p on addresses %a failed - %e', ['B', 'unilateral-failed']],
  ['unilateral connection upgrade to %p succeeded via %a, closing relayed connection', ['B', 'unilateral-direct']],
  ['B sending connect to %p', ['B', 'send-connect']],
  ['B receiving connect from %p', ['B', 'await-connect']],
  ['A sent wrong message type', ['B', 'wrong-type']],
  ['A did not have any dialable multiaddrs', ['B', 'no-dialable-addrs']],
  // js's log says "A" here, but this is B sending SYNC (spec step 4)
  ['A sending sync, rtt %dms', ['B', 'send-sync']],
  ['A waiting for half RTT', ['B', 'await-half-rtt']],
  ['B dialing', ['B', 'dial']],
  ['DCUtR to %p succeeded to address %a, closing relayed connection', ['B', 'direct']],
  ['error while attempting DCUtR on attempt %d of %d - %e', ['B', 'attempt-failed']],
  ['error during outgoing DCUtR attempt - %e', ['B', 'failed']],
  ['A receiving connect', ['A', 'await-connect']],
  ['B sent wrong message type', ['A', 'wrong-type']],
  ['B sent no multiaddrs', ['A', 'no-addrs']],
  ['B had no dialable multiaddrs in %o', ['A', 'no-dialable-addrs']],
  ['A sending connect', ['A', 'send-connect']],
  ['A receiving sync', ['A', 'await-sync']],
  ['A dialing', ['A', 'dial']],
  ['DCUtR to %p succeeded via %a, closing relayed connection', ['A', 'direct']]
])

/** Checks --dcutr against what this line's entry file provides. */
export function checkDcutrLib (opts, lib) {
  if (opts.dcutr && lib.dcutr == null) throw new Error(`--dcutr is not available in the ${lib.line} line`)
}

/** Adds the dcutr service (js's, with the reporting logger) to the libp2p init. */
export function addDcutrInit (init, opts, lib, emit, describe) {
  if (!opts.dcutr) return
  const factory = lib.dcutr()
  init.services.dcutr = (components) => {
    const logger = {
      forComponent: (name) => reporting(components.logger.forComponent(name), components, emit, describe)
    }
    // js's components object is shared by every service: hand this one a view with our logger
    const view = new Proxy(components, {
      get: (target, prop) => prop === 'logger' ? logger : Reflect.get(target, prop)
    })
    return factory(view)
  }
}

function reporting (log, components, emit, describe) {
  const report = (level) => (fmt, ...args) => {
    const [role, step] = STEPS.get(fmt) ?? [null, 'log']
    const ev = { event: 'dcutr', role, step, level, text: render(fmt, args, describe) }
    if (step === 'send-connect') ev.addrs = components.addressManager.getAddresses().map(String)
    if (step === 'send-sync') ev.rttMs = args[0]
    if (step === 'dial' || step === 'no-dialable-addrs') ev.addrs = addrList(args[0])
    emit(ev)
  }
  const onLog = report('log')
  const onError = report('error')
  const wrapped = (fmt, ...args) => { onLog(fmt, ...args); log(fmt, ...args) }
  wrapped.error = (fmt, ...args) => { onError(fmt, ...args); log.error(fmt, ...args) }
  wrapped.trace = (fmt, ...args) => log.trace(fmt, ...args)
  wrapped.enabled = log.enabled
  wrapped.newScope = (name) => reporting(log.newScope(name), components, emit, describe)
  return wrapped
}

function addrList (a) {
  if (a == null) return null
  return (Array.isArray(a) ? a : [a]).map((x) => x instanceof Uint8Array ? `<${x.length} bytes>` : String(x))
}

/** debug's %p, %a, %e, %o, %d, %s rendered plainly. */
function render (fmt, args, describe) {
  let i = 0
  const text = String(fmt).replace(/%([a-zA-Z%])/g, (m, c) => {
    if (c === '%') return '%'
    if (i >= args.length) return m
    const a = args[i++]
    if (c === 'e') return describe(a)
    if (Array.isArray(a)) return '[' + addrList(a).join(', ') + ']'
    return String(a)
  })
  const rest = args.slice(i).map((a) => Array.isArray(a) ? '[' + addrList(a).join(', ') + ']' : String(a))
  return rest.length > 0 ? `${text} ${rest.join(' ')}` : text
}
