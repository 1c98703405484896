package org.grapevine.libp2p.kad;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Test;

/**
 * {@link Dht#pollTimeout} keeps its deadlines in order instead of scanning every request in flight;
 * after every input of every node in a lossy network (timeouts of lookups, sends and checks, full
 * buckets) it must equal the scan ({@link Dht#pollTimeoutByScan}).
 */
class DhtDeadlinesTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

  @Test
  void pollTimeout_equalsTheScanAfterEveryInput() {
    DhtTestNetwork net = new DhtTestNetwork(80, DhtConfig.DEFAULT, 21, 0.1);
    long[] compared = new long[1];
    net.afterDrain =
        d -> {
          assertThat(d.pollTimeout()).isEqualTo(d.pollTimeoutByScan());
          compared[0]++;
        };
    net.bootstrapAll(3, 30 * SECOND);
    for (int i = 0; i < 40; i++) {
      PeerId from = net.ids.get(net.random().nextInt(net.ids.size()));
      byte[] key = DhtTest.cidKey(net.random());
      net.command(from, d -> d.startProviding(key, net.now()));
      PeerId other = net.ids.get(net.random().nextInt(net.ids.size()));
      net.command(other, d -> d.findProviders(key, 3, net.now()));
      net.runUntil(net.now() + 200 * TimeUnit.MILLISECONDS.toNanos(1));
    }
    net.runUntil(net.now() + 2 * MINUTE);

    long timeouts = 0;
    long checks = 0;
    for (PeerId id : net.ids) {
      timeouts += net.node(id).stats().timeouts();
      checks += net.node(id).stats().checksSent();
    }
    // The cases the ordered deadlines stand for all happened.
    assertThat(compared[0]).isGreaterThan(10_000);
    assertThat(timeouts).isPositive();
    assertThat(checks).isPositive();
  }
}
