// Node 20 lacks Promise.withResolvers (added in Node 22). libp2p 3.x calls it directly and
// libp2p 2.x reaches it through mortice, it-queue and @libp2p/peer-store, so without this the
// peer crashes on start with "Promise.withResolvers is not a function". Each entry file
// imports this module FIRST: ES modules are evaluated in import order, so the polyfill is in
// place before any libp2p module runs.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => { resolve = res; reject = rej })
      return { promise, resolve, reject }
    }
  })
}
