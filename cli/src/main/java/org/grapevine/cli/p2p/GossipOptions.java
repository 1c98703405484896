package org.grapevine.cli.p2p;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.gossipsub.GossipConfig;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import picocli.CommandLine.Option;

/** Options of the pubsub commands: whom to connect to. */
final class GossipOptions {
  @Option(
      names = "--connect",
      paramLabel = "MULTIADDR",
      description = "Peer to connect to (repeatable).")
  List<String> connect = new ArrayList<>();

  /**
   * Starts a GossipSub driver on {@code host} (seqnos seeded from the clock, as the spec asks) and
   * dials the peers.
   */
  GossipDriver start(Host host, HostOptions options) throws CliException, InterruptedException {
    GossipConfig config =
        GossipConfig.builder().initialSeqno(System.currentTimeMillis() * 1_000_000L).build();
    GossipDriver driver =
        new GossipDriver(
            host,
            config,
            new SplittableRandom(),
            io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    driver.start();
    for (String text : connect) {
      Multiaddr addr = HostOptions.parseAddr(text);
      Connection c = Cli.await(host.dial(addr), options.timeout(), "dial " + addr);
      System.err.println("connected to " + c.remotePeer());
    }
    return driver;
  }

  static void sleepMillis(long ms) throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(ms);
  }
}
