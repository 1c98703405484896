package org.grapevine.cli.p2p;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.netty.RelayClientDriver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine p2p relay <multiaddr>}: reserves a slot on a circuit relay v2 and prints what
 * the relay granted (expiry, limits) and the circuit address others can dial; with {@code --wait},
 * stays and prints the connections that come in through it.
 */
@Command(
    name = "relay",
    mixinStandardHelpOptions = true,
    description = {
      "Reserve a slot on a libp2p relay (circuit relay v2) and print the circuit address.",
      "With --wait, keep the reservation and print connections that come through it.",
      "Exit code 0: reserved, 1: refused or no answer."
    })
final class RelayCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MULTIADDR", description = "The relay, with /p2p/ID.")
  String address;

  @Option(
      names = "--wait",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description = "Stay this long after reserving, printing relayed connections.")
  int waitSeconds;

  @Mixin HostOptions options;

  @Override
  public Integer call() throws Exception {
    Multiaddr relay = HostOptions.parseAddr(address);
    if (relay.peerId().isEmpty()) {
      throw new CliException("the relay's address needs its peer ID (/p2p/ID): " + address);
    }
    try (Host host = options.start("/ip4/0.0.0.0/tcp/0");
        RelayClientDriver client =
            RelayClientDriver.start(host, RelayClientConfig.DEFAULT.withWantedRelays(1))) {
      BlockingQueue<RelayClientEvent> events = new ArrayBlockingQueue<>(16);
      client.addListener(events::offer);
      host.addListener(
          new HostListener() {
            @Override
            public void onConnected(Connection c) {
              if (c.isRelayed()) {
                System.out.println(
                    "relayed connection from " + c.remotePeer() + " " + c.remoteAddr());
              }
            }
          });
      client.addRelay(relay.peerId().get(), List.of(relay.withoutPeerId()));
      RelayClientEvent e = events.poll(options.timeout().toSeconds(), TimeUnit.SECONDS);
      if (e instanceof RelayClientEvent.Reserved r) {
        System.out.println(
            "reserved on "
                + r.relay()
                + " until "
                + Instant.ofEpochSecond(r.expireUnixSeconds())
                + " (per circuit: "
                + (r.limit().durationSeconds() == 0
                    ? "no time limit"
                    : r.limit().durationSeconds() + " s")
                + ", "
                + (r.limit().dataBytes() == 0 ? "no data limit" : r.limit().dataBytes() + " bytes")
                + ")");
        for (Multiaddr a : r.circuitAddrs()) {
          System.out.println("reachable at " + a.withPeerId(host.peerId()));
        }
        if (waitSeconds > 0) {
          Thread.sleep(TimeUnit.SECONDS.toMillis(waitSeconds));
        }
        return 0;
      }
      System.out.println(
          e instanceof RelayClientEvent.Failed f
              ? "refused: " + f.reason()
              : "no answer in " + options.timeout().toSeconds() + " s");
      return 1;
    }
  }
}
