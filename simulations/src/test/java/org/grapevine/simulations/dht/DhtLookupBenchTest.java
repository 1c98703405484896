package org.grapevine.simulations.dht;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.KadKey;
import org.grapevine.libp2p.kad.KadPeer;
import org.junit.jupiter.api.Test;

/**
 * The 100,000-node lookup figures come from tables built directly ({@link
 * DhtLookupBench.Build#DIRECT}), since joins take over an hour at that size. These tests are what
 * makes those figures stand for the running DHT: the direct tables are exactly the settled Kademlia
 * tables, and lookups over them cost what lookups over joined tables cost.
 */
class DhtLookupBenchTest {
  private static final int K = DhtConfig.DEFAULT.k();

  @Test
  void directTables_holdEveryBucketsPeersUpToK_allWithThatBucketsPrefix() {
    int n = 3000;
    DhtLookupBench bench = new DhtLookupBench(n, 7);
    bench.run(DhtLookupBench.Build.DIRECT, 1, 0, 1);
    List<KadKey> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add(KadKey.of(bench.node(i).self()));
    }
    for (int i = 0; i < n; i += 97) {
      KadKey self = keys.get(i);
      int[] population = new int[KadKey.BITS + 1];
      for (int j = 0; j < n; j++) {
        population[self.commonPrefixLength(keys.get(j))]++;
      }
      int[] held = new int[KadKey.BITS + 1];
      for (KadPeer p : bench.node(i).routingTablePeers()) {
        held[self.commonPrefixLength(KadKey.of(p.id()))]++;
      }
      for (int cpl = 0; cpl < KadKey.BITS; cpl++) {
        assertThat(held[cpl])
            .as("node %d bucket %d of %d peers", i, cpl, population[cpl])
            .isEqualTo(Math.min(K, population[cpl]));
      }
      assertThat(held[KadKey.BITS]).as("itself").isZero();
    }
  }

  @Test
  void lookupsOverDirectTables_costWhatLookupsOverJoinedTablesCost() {
    int n = 800;
    int lookups = 300;
    DhtLookupBench.Figures joined =
        new DhtLookupBench(n, 3).run(DhtLookupBench.Build.JOINS, 3, 60_000_000_000L, lookups);
    DhtLookupBench.Figures direct =
        new DhtLookupBench(n, 3).run(DhtLookupBench.Build.DIRECT, 3, 0, lookups);
    assertThat(joined.found()).isEqualTo(lookups);
    assertThat(direct.found()).isEqualTo(lookups);
    assertThat(joined.messagesInBuild()).isPositive();
    assertThat(direct.messagesInBuild()).isZero();
    // Same table sizes within 10%; hops and messages per lookup within 20% (hops within 0.2).
    assertThat(direct.meanTableSize())
        .isCloseTo(joined.meanTableSize(), offset(0.1 * joined.meanTableSize()));
    assertThat(mean(direct.hops()))
        .isCloseTo(mean(joined.hops()), offset(Math.max(0.2, 0.2 * mean(joined.hops()))));
    assertThat(mean(direct.messages()))
        .isCloseTo(mean(joined.messages()), offset(0.2 * mean(joined.messages())));
  }

  private static double mean(long[] v) {
    double s = 0;
    for (long x : v) {
      s += x;
    }
    return s / v.length;
  }
}
