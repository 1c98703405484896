package org.grapevine.libp2p.testing;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.grapevine.libp2p.autonat.AutonatClientConfig;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hosts on 127.0.0.1 for the multi-host ITs, as a JUnit extension ({@code @RegisterExtension final
 * LoopbackHosts hosts = new LoopbackHosts()}): each started with a fresh key, on a free port, with
 * an inbound rate no test reaches; they, and whatever else a test hands to {@link #closeAfter}
 * (relay servers, clients, js peers), are closed after each test, the last one first.
 */
public final class LoopbackHosts implements AfterEachCallback {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** A started host listening on 127.0.0.1 at a free port. */
  public Host start() throws Exception {
    return start(UnaryOperator.identity());
  }

  /**
   * A started host: the defaults of {@link #start()}, then {@code tuning} (which may re-listen).
   */
  public Host start(UnaryOperator<HostConfig.Builder> tuning) throws Exception {
    HostConfig.Builder b =
        HostConfig.builder(PrivKey.generate(RANDOM))
            .listen("/ip4/127.0.0.1/tcp/0")
            .inboundRate(1000, 1000);
    Host h = new Host(tuning.apply(b).build());
    closeables.add(h);
    h.start();
    return h;
  }

  /** Closes {@code c} after the test, before the hosts started earlier. */
  public <T extends AutoCloseable> T closeAfter(T c) {
    closeables.add(c);
    return c;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    closeables.clear();
  }

  /**
   * An AutoNAT client for a test with one server on loopback: confidence 1, a probe every 100 ms, a
   * failed server retried after 200 ms, private addresses tested.
   */
  public static AutonatClientConfig fastAutonatClient() {
    AutonatClientConfig d = AutonatClientConfig.defaults();
    return new AutonatClientConfig(
        1,
        d.maxConcurrentRequests(),
        TimeUnit.MILLISECONDS.toNanos(100),
        d.recheckIntervalNanos(),
        d.resultTtlNanos(),
        TimeUnit.MILLISECONDS.toNanos(200),
        d.requestTimeoutNanos(),
        d.maxDialDataBytes(),
        d.maxCandidates(),
        true);
  }
}
