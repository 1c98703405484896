package org.grapevine.cli.p2p;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code grapevine p2p pub <topic> <text>}: publish once, exit when at least one peer got it. */
@Command(
    name = "pub",
    mixinStandardHelpOptions = true,
    description =
        "Publish one GossipSub message and exit once it was sent to at least one peer subscribed to the topic.")
final class PubCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "TOPIC")
  String topic;

  @Parameters(index = "1", paramLabel = "TEXT")
  String text;

  @Mixin HostOptions options;

  @Mixin GossipOptions gossip;

  @Override
  public Integer call() throws Exception {
    if (gossip.connect.isEmpty()) {
      throw new CliException("pub needs at least one --connect MULTIADDR to publish to");
    }
    try (Host host = options.start()) {
      GossipDriver driver = gossip.start(host, options);
      // A peer announces its subscriptions when our streams open: wait until one is known.
      long deadline = System.nanoTime() + options.timeout().toNanos();
      while (driver.topicPeers(topic).get().isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new CliException(
              "no connected peer subscribed to "
                  + topic
                  + " within "
                  + options.timeout().toSeconds()
                  + " s");
        }
        GossipOptions.sleepMillis(50);
      }
      GossipDriver.Published p =
          Cli.await(
              driver.publish(topic, text.getBytes(StandardCharsets.UTF_8)),
              options.timeout(),
              "publish");
      if (p.peers() == 0) {
        throw new CliException(
            "the message reached no peer (are they scoring us below the publish threshold?)");
      }
      System.out.println(
          "published "
              + HexFormat.of().formatHex(p.id().toBytes())
              + " to "
              + p.peers()
              + " peer(s)");
      return 0; // Closing the host flushes the streams (Yamux GoAway after the data).
    }
  }
}
