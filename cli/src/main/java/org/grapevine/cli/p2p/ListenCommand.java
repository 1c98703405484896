package org.grapevine.cli.p2p;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.grapevine.libp2p.echo.EchoProtocol;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code grapevine p2p listen}: a bare host that answers identify, ping and echo until Ctrl-C. */
@Command(
    name = "listen",
    mixinStandardHelpOptions = true,
    description =
        "Run a bare libp2p host answering identify, ping and "
            + EchoProtocol.ID
            + "; print its address; stop with Ctrl-C.")
final class ListenCommand implements Callable<Integer> {
  @Option(
      names = {"-p", "--port"},
      defaultValue = "0",
      description = "TCP port (default: any free port).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String bindHost;

  @Mixin HostOptions options;

  @Override
  public Integer call() throws Exception {
    String family = bindHost.contains(":") ? "ip6" : "ip4";
    Host host = options.start("/" + family + "/" + bindHost + "/tcp/" + port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  host.close();
                  stopped.countDown();
                },
                "grapevine-shutdown"));
    host.setProtocolHandler(EchoProtocol.ID, (stream, conn) -> EchoProtocol.respond(stream));
    host.addListener(
        new HostListener() {
          @Override
          public void onConnected(Connection c) {
            System.out.println("connected: " + c);
          }

          @Override
          public void onDisconnected(Connection c) {
            System.out.println("disconnected: " + c);
          }
        });
    for (Multiaddr a : host.listenAddrs()) {
      System.out.println(a.withPeerId(host.peerId()));
    }
    System.out.flush();
    stopped.await();
    return 0;
  }
}
