package org.grapevine.libp2p.kad.netty;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.grapevine.libp2p.kad.KadMessage;
import org.grapevine.libp2p.kad.KadMessageType;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.KadServer;
import org.grapevine.libp2p.kad.ProviderStore;
import org.grapevine.libp2p.kad.RecordStore;
import org.grapevine.libp2p.kad.RoutingTable;
import org.grapevine.libp2p.peer.PeerId;

/**
 * A test-only DHT server for one host: a {@link KadServer} over its own table and provider store,
 * behind a lock (the handler may run on any event loop), with the wall clock as the store's time.
 * Stands in for the node's {@code Dht} in the adapter's tests; it records every request it saw.
 */
public final class KadTestServer implements KadRequestHandler {
  public record Seen(PeerId from, KadMessage request) {}

  private final RoutingTable table;
  private final ProviderStore store =
      new ProviderStore(1000, 20, 100, ProviderStore.VALIDITY_MILLIS);
  private final KadServer server;
  public final List<Seen> seen = new CopyOnWriteArrayList<>();

  public KadTestServer(PeerId self) {
    table = new RoutingTable(self, RoutingTable.K, 1_000_000_000L);
    server =
        new KadServer(
            table, store, new RecordStore(100, ProviderStore.VALIDITY_MILLIS), RoutingTable.K);
  }

  @Override
  public synchronized KadServer.Reply handle(PeerId from, KadMessage request) {
    seen.add(new Seen(from, request));
    return server.handle(from, request, System.currentTimeMillis());
  }

  public synchronized void addPeer(KadPeer peer) {
    table.add(peer, System.nanoTime());
  }

  public synchronized List<KadPeer> providers(byte[] key) {
    return store.providers(key, System.currentTimeMillis());
  }

  /** Stores {@code provider} for {@code key} as if it had announced itself. */
  public synchronized void addProvider(byte[] key, KadPeer provider) {
    store.add(key, provider.id(), provider.addrs(), System.currentTimeMillis());
  }

  public synchronized long refused(KadServer.Refusal r) {
    return server.refused(r);
  }

  public long seen(KadMessageType type) {
    return seen.stream().filter(s -> s.request().type() == type).count();
  }
}
