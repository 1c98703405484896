package org.grapevine.cli.p2p;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.grapevine.libp2p.autonat.AutonatClient;
import org.grapevine.libp2p.autonat.AutonatClientConfig;
import org.grapevine.libp2p.autonat.AutonatConfig;
import org.grapevine.libp2p.autonat.Reachability;
import org.grapevine.libp2p.autonat.netty.AutonatService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine p2p autonat <multiaddr>}: asks one AutoNAT v2 server whether it can dial us
 * back, at the address it observes us at (or those given), and prints its verdict. A throwaway host
 * listens on {@code --port} for the dial-back, as a node would.
 */
@Command(
    name = "autonat",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a libp2p node (AutoNAT v2 server) whether it can dial this machine back.",
      "Listens on --port for the dial-back and tests the address the server observes us at,",
      "or the --addr addresses. Exit code 0: reachable, 3: unreachable, 1: no answer."
    })
final class AutonatCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MULTIADDR", description = "The AutoNAT server, with /p2p/ID.")
  String address;

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "TCP port to listen on for the dial-back (default: a free one).")
  int port;

  @Option(
      names = "--addr",
      paramLabel = "MULTIADDR",
      description = "A public address of ours to test (e.g. a forwarded port); repeatable.")
  List<String> addrs = new ArrayList<>();

  @Mixin HostOptions options;

  @Override
  public Integer call() throws Exception {
    Multiaddr server = HostOptions.parseAddr(address);
    List<Multiaddr> candidates = new ArrayList<>();
    for (String a : addrs) {
      candidates.add(HostOptions.parseAddr(a));
    }
    AutonatConfig config =
        new AutonatConfig(
            Optional.empty(),
            false,
            Optional.of(AutonatClientConfig.defaults().with(1, Duration.ofSeconds(1).toNanos())));
    try (Host host = options.start(b -> b.autonat(config), "/ip4/0.0.0.0/tcp/" + port)) {
      AutonatService autonat = host.autonat().orElseThrow();
      autonat.setExtraCandidates(candidates);
      Connection c = Cli.await(host.dial(server), options.timeout(), "dial " + server);
      System.out.println("asking " + c.remotePeer() + " at " + c.remoteAddr());
      long deadline = System.nanoTime() + options.timeout().toNanos() * 3;
      while (System.nanoTime() < deadline && autonat.reachability() == Reachability.UNKNOWN) {
        Thread.sleep(100);
      }
      List<Multiaddr> tested = new ArrayList<>(candidates);
      tested.addAll(host.observedAddrs());
      tested.addAll(host.observedCandidates());
      for (Multiaddr a : tested) {
        System.out.println(
            a + ": " + autonat.reachability(a).name().toLowerCase(java.util.Locale.ROOT));
      }
      System.out.printf(
          "requests %d, reachable %d, unreachable %d, refused %d, rejected %d, failed %d%n",
          autonat.clientCounter(AutonatClient.Counter.REQUESTS),
          autonat.clientCounter(AutonatClient.Counter.REACHABLE),
          autonat.clientCounter(AutonatClient.Counter.UNREACHABLE),
          autonat.clientCounter(AutonatClient.Counter.REFUSED),
          autonat.clientCounter(AutonatClient.Counter.REJECTED),
          autonat.clientCounter(AutonatClient.Counter.FAILED));
      Reachability r = autonat.reachability();
      System.out.println("reachability: " + r.name().toLowerCase(java.util.Locale.ROOT));
      return switch (r) {
        case PUBLIC -> 0;
        case PRIVATE -> 3;
        case UNKNOWN -> 1;
      };
    }
  }
}
