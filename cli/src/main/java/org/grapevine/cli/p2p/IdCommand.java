package org.grapevine.cli.p2p;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.identify.IdentifyResult;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code grapevine p2p id <multiaddr>}: dial, identify, print what the peer says about itself. */
@Command(
    name = "id",
    mixinStandardHelpOptions = true,
    description = "Dial a libp2p node and print its identify answer.")
final class IdCommand implements Callable<Integer> {
  @Parameters(
      paramLabel = "MULTIADDR",
      description = "For example /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...")
  String address;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Mixin HostOptions options;

  @Override
  public Integer call() throws Exception {
    Multiaddr addr = HostOptions.parseAddr(address);
    try (Host host = options.start()) {
      CompletableFuture<IdentifyResult> identified = new CompletableFuture<>();
      host.addListener(
          new HostListener() {
            @Override
            public void onIdentified(Connection connection, IdentifyResult identify) {
              identified.complete(identify);
            }
          });
      Connection c = Cli.await(host.dial(addr), options.timeout(), "dial " + addr);
      IdentifyResult id = Cli.await(identified, options.timeout(), "identify " + c.remotePeer());
      List<String> addrs = new ArrayList<>();
      for (byte[] raw : id.listenAddrs()) {
        addrs.add(text(raw));
      }
      String observed = id.observedAddr().length == 0 ? "" : text(id.observedAddr());
      if (json) {
        System.out.println(
            "{\"peerId\":"
                + Json.str(id.peer().toString())
                + ",\"agentVersion\":"
                + Json.str(id.agentVersion())
                + ",\"protocolVersion\":"
                + Json.str(id.protocolVersion())
                + ",\"protocols\":"
                + Json.strs(id.protocols())
                + ",\"listenAddrs\":"
                + Json.strs(addrs)
                + ",\"observedAddr\":"
                + Json.str(observed)
                + "}");
      } else {
        System.out.println("peer id:     " + id.peer());
        System.out.println("agent:       " + id.agentVersion());
        System.out.println("protocol:    " + id.protocolVersion());
        System.out.println("protocols:   " + String.join(", ", id.protocols()));
        System.out.println("listening:   " + String.join(", ", addrs));
        System.out.println("sees us at:  " + observed);
      }
      return 0;
    }
  }

  private static String text(byte[] raw) {
    try {
      return Multiaddr.decode(raw).toString();
    } catch (MultiaddrFormatException e) {
      return "(undecodable: " + e.getMessage() + ")";
    }
  }
}
