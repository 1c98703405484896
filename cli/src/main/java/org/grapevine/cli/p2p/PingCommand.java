package org.grapevine.cli.p2p;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code grapevine p2p ping <multiaddr>}: round-trip times over /ipfs/ping/1.0.0, like ping(8). */
@Command(
    name = "ping",
    mixinStandardHelpOptions = true,
    description = "Ping a libp2p node (/ipfs/ping/1.0.0) and print round-trip times.")
final class PingCommand implements Callable<Integer> {
  @Parameters(paramLabel = "MULTIADDR")
  String address;

  @Option(
      names = {"-c", "--count"},
      defaultValue = "4",
      description = "Number of pings (default ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = {"-i", "--interval"},
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Pause between pings in ms (default ${DEFAULT-VALUE}).")
  long intervalMillis;

  @Mixin HostOptions options;

  @Override
  public Integer call() throws Exception {
    if (count < 1) {
      throw new CliException("--count must be at least 1");
    }
    Multiaddr addr = HostOptions.parseAddr(address);
    try (Host host = options.start()) {
      Connection c = Cli.await(host.dial(addr), options.timeout(), "dial " + addr);
      System.out.println("PING " + c.remotePeer() + " at " + c.remoteAddr());
      List<Double> rtts = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        long nanos = Cli.await(host.ping(c), options.timeout(), "ping " + c.remotePeer());
        double ms = nanos / 1e6;
        rtts.add(ms);
        System.out.printf("pong from %s: seq=%d time=%.3f ms%n", c.remotePeer(), i, ms);
        if (i < count) {
          Thread.sleep(intervalMillis);
        }
      }
      double min = rtts.stream().mapToDouble(Double::doubleValue).min().orElse(0);
      double max = rtts.stream().mapToDouble(Double::doubleValue).max().orElse(0);
      double avg = rtts.stream().mapToDouble(Double::doubleValue).average().orElse(0);
      System.out.printf(
          "%d pings, rtt min/avg/max = %.3f/%.3f/%.3f ms%n", rtts.size(), min, avg, max);
      return 0;
    }
  }
}
