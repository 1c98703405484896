package org.grapevine.node;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.kad.KadPeer;

/**
 * What {@link NodeMedia} asks of the DHT (issue 18): provide the files it holds whole, stop when
 * they are collected, look up a file's providers. Keys are a root CID's multihash. {@link #OFF}
 * when {@code [dht] mode = off}: nothing is provided and every lookup finds nobody.
 */
interface MediaDht {
  MediaDht OFF =
      new MediaDht() {
        @Override
        public boolean on() {
          return false;
        }

        @Override
        public void provide(byte[] key) {}

        @Override
        public void stopProviding(byte[] key) {}

        @Override
        public CompletableFuture<List<KadPeer>> findProviders(byte[] key) {
          return CompletableFuture.completedFuture(List.of());
        }
      };

  /** Whether the DHT runs. */
  boolean on();

  void provide(byte[] key);

  void stopProviding(byte[] key);

  /** A few providers of {@code key}; never fails (nobody found: an empty list). */
  CompletableFuture<List<KadPeer>> findProviders(byte[] key);
}
