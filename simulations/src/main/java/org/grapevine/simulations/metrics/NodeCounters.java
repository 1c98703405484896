package org.grapevine.simulations.metrics;

/**
 * Per-node traffic and work counters of a run, in primitive arrays indexed by node. Bytes include
 * each message's length prefix. "Payload" is the published messages inside gossip RPCs; "control"
 * is the rest of each gossip RPC (subscriptions, IHAVE, IWANT, GRAFT, PRUNE, IDONTWANT); "sync" is
 * every catch-up sync message; "dht" every DHT request and answer (KadCodec's encoding with its
 * length prefix), counted at both ends. "Wire" is every byte on the node's TCP sockets (the real
 * engine, which cannot tell the kinds apart under encryption; zero in the virtual engine).
 */
public final class NodeCounters {
  public final long[] payloadSent;
  public final long[] payloadReceived;
  public final long[] controlSent;
  public final long[] controlReceived;
  public final long[] syncSent;
  public final long[] syncReceived;
  public final long[] rpcsSent;
  public final long[] rpcsLost;
  public final long[] syncSessions;
  public final long[] outages;
  public final long[] offlineNanos;
  public final long[] wireSent;
  public final long[] wireReceived;
  public final long[] dhtSent;
  public final long[] dhtReceived;
  public final long[] dhtMessagesSent;

  public NodeCounters(int nodes) {
    payloadSent = new long[nodes];
    payloadReceived = new long[nodes];
    controlSent = new long[nodes];
    controlReceived = new long[nodes];
    syncSent = new long[nodes];
    syncReceived = new long[nodes];
    rpcsSent = new long[nodes];
    rpcsLost = new long[nodes];
    syncSessions = new long[nodes];
    outages = new long[nodes];
    offlineNanos = new long[nodes];
    wireSent = new long[nodes];
    wireReceived = new long[nodes];
    dhtSent = new long[nodes];
    dhtReceived = new long[nodes];
    dhtMessagesSent = new long[nodes];
  }

  public int nodes() {
    return payloadSent.length;
  }
}
