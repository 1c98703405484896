// Checks the output of one gossip case of selftest.sh.
// Usage: node gossipcheck.mjs <case> <listener stdout> <dialer stdout>
// Prints what it found; exits 0 if the case passed, 1 otherwise.
import { readFileSync } from 'node:fs'

const [kind, lFile, dFile] = process.argv.slice(2)
const read = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
const L = read(lFile)
const D = read(dFile)
const of = (events, name) => events.filter((e) => e.event === name)
const peerId = (events) => of(events, 'listening')[0]?.peerId

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
function base58Hex (s) {
  let n = 0n
  for (const c of s) n = n * 58n + BigInt(B58.indexOf(c))
  let h = n.toString(16)
  if (h.length % 2 === 1) h = '0' + h
  const zeros = /^1*/.exec(s)[0].length // each leading '1' is a zero byte (00 of the identity multihash)
  return '00'.repeat(zeros) + h
}

const problems = []
const expect = (ok, what) => { if (!ok) problems.push(what) }

/** publisher published `text`, receiver got it once, with the same msgId, equal to rule(from, seqno). */
function delivered (pub, rec, text, rule) {
  const p = of(pub, 'published').find((e) => e.data === text)
  const got = of(rec, 'message').filter((e) => e.data === text)
  expect(p != null, `no published event for ${text}`)
  expect(got.length === 1, `${got.length} message events for ${text}, want 1`)
  if (p == null || got.length !== 1) return
  const m = got[0]
  const from = peerId(pub)
  expect(m.from === from, `message ${text}: from ${m.from}, want ${from}`)
  expect(m.seqno === p.seqno && /^[0-9a-f]{16}$/.test(m.seqno), `message ${text}: seqno ${m.seqno}, published ${p.seqno}`)
  expect(m.msgId === p.msgId, `message ${text}: msgId ${m.msgId} != published ${p.msgId}`)
  const want = rule(base58Hex(from), p.seqno)
  expect(p.msgId === want, `message ${text}: msgId ${p.msgId}, want ${want}`)
  expect(p.recipients === 1, `published ${text} to ${p.recipients} peers`)
}
const fromSeqno = (fromHex, seqno) => fromHex + seqno
// js's default: PublicKey protobuf || seqno; an Ed25519 peer id is identity multihash 00 24 || that protobuf
const jsDefault = (fromHex, seqno) => fromHex.slice(4) + seqno

function rejectedOnly (rec, sender, via) {
  const rej = of(rec, 'rejected')
  expect(rej.length === 1 && rej[0].error === 'invalid_signature' && rej[0].data === 'bad' && rej[0].from === peerId(sender),
    `want one rejected event (invalid_signature, data bad, from the sender), got ${JSON.stringify(rej)}`)
  expect(of(rec, 'message').every((e) => e.data !== 'bad'), 'the invalid message was delivered')
  const pi = of(sender, 'published-invalid')
  expect(pi.length === 1 && pi[0].via === via && /^\/meshsub\/1\.[12]\.0$/.test(pi[0].protocol),
    `want one published-invalid via ${via} on /meshsub/1.1.0 or 1.2.0, got ${JSON.stringify(pi)}`)
}

function meshed (a, b) {
  const other = peerId(b)
  expect(of(a, 'graft').some((e) => e.peer === other && e.topic === 't' && e.inMesh), `${peerId(a)}: no graft with ${other}`)
  expect(of(a, 'mesh').some((e) => e.topic === 't' && e.peers.includes(other)), `${peerId(a)}: no mesh event listing ${other}`)
  expect(of(a, 'subscription-change').some((e) => e.peer === other && e.topic === 't' && e.subscribe === true),
    `${peerId(a)}: no subscription-change from ${other}`)
}

const noErrors = () => expect(of(L, 'error').length + of(D, 'error').length === 0, 'error events printed')

switch (kind) {
  case 'from-seqno':
    delivered(L, D, 'from-L', fromSeqno)
    delivered(D, L, 'from-D', fromSeqno)
    noErrors()
    break
  case 'default':
    delivered(L, D, 'from-L', jsDefault)
    delivered(D, L, 'from-D', jsDefault)
    noErrors()
    break
  case 'invalid-gossip-stream':
    rejectedOnly(L, D, 'gossip-stream')
    delivered(D, L, 'good', fromSeqno)
    noErrors()
    break
  case 'invalid-raw-stream':
    rejectedOnly(L, D, 'raw-stream')
    noErrors()
    break
  case 'mesh':
    meshed(L, D)
    meshed(D, L)
    noErrors()
    break
  default:
    problems.push(`unknown case ${kind}`)
}
for (const p of problems) console.log(`     ${p}`)
for (const e of [...of(L, 'published'), ...of(D, 'published')]) console.log(`     published ${e.data}: seqno ${e.seqno} msgId ${e.msgId}`)
process.exit(problems.length === 0 ? 0 : 1)
