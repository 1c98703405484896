package org.grapevine.cli.p2p;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.grapevine.libp2p.gossipsub.Acceptance;
import org.grapevine.libp2p.gossipsub.netty.GossipDriver;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code grapevine p2p sub <topic>}: print received GossipSub messages as JSON lines. */
@Command(
    name = "sub",
    mixinStandardHelpOptions = true,
    description =
        "Subscribe to a GossipSub topic and print every message as one JSON line; stop with Ctrl-C.")
final class SubCommand implements Callable<Integer> {
  @Parameters(paramLabel = "TOPIC")
  String topic;

  @Option(
      names = {"-p", "--port"},
      defaultValue = "0",
      description = "TCP port to listen on (default: any).")
  int port;

  @Option(
      names = {"-n", "--count"},
      defaultValue = "0",
      description = "Exit after this many messages (default: never).")
  int count;

  @Mixin HostOptions options;

  @Mixin GossipOptions gossip;

  @Override
  public Integer call() throws Exception {
    Host host = options.start("/ip4/127.0.0.1/tcp/" + port);
    CountDownLatch done = new CountDownLatch(count > 0 ? count : Integer.MAX_VALUE);
    Runtime.getRuntime().addShutdownHook(new Thread(host::close, "grapevine-shutdown"));
    try {
      GossipDriver driver = gossip.start(host, options);
      driver.setMessageHandler(
          (m, verdict) -> {
            System.out.println(
                "{\"topic\":"
                    + Json.str(m.topic())
                    + ",\"from\":"
                    + Json.str(m.from().map(Object::toString).orElse(""))
                    + ",\"seqno\":"
                    + m.seqno().stream()
                        .mapToObj(Long::toUnsignedString)
                        .map(Json::str)
                        .findFirst()
                        .orElse("null")
                    + ",\"id\":"
                    + Json.str(HexFormat.of().formatHex(m.id().toBytes()))
                    + ",\"data\":"
                    + Json.str(new String(m.data(), StandardCharsets.UTF_8))
                    + "}");
            System.out.flush();
            verdict.accept(Acceptance.ACCEPT);
            done.countDown();
          });
      driver.subscribe(topic).get();
      for (Multiaddr a : host.listenAddrs()) {
        System.err.println("listening on " + a.withPeerId(host.peerId()));
      }
      done.await();
      return 0;
    } finally {
      host.close();
    }
  }
}
