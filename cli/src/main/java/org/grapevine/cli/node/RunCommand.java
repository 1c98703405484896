package org.grapevine.cli.node;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.node.Node;
import org.grapevine.node.discovery.DiscoveryConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code grapevine run}: start a node in the foreground (store, gossip, sync) until Ctrl-C. The
 * first run creates the data directory and the keys.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Start a Grapevine node in the foreground; stop it with Ctrl-C. The first run creates the data directory and keys.")
public final class RunCommand implements Callable<Integer> {
  @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (default: $GRAPEVINE_DATA_DIR, else $XDG_DATA_HOME/grapevine, else ~/.local/share/grapevine).")
  Path dataDir;

  @Option(names = {"-p", "--port"}, defaultValue = "0", description = "TCP port on 127.0.0.1 (default: any free port).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for all).")
  String bindHost;

  @Option(names = "--bootstrap", paramLabel = "MULTIADDR", description = "Peer to keep connected: /ip4/.../tcp/PORT/p2p/ID (repeatable); redialed with backoff, never forgotten.")
  List<String> bootstrap = new ArrayList<>();

  @Option(names = "--swarm-key", paramLabel = "FILE", description = "Join the private network of this swarm key file.")
  Path swarmKey;

  @Option(names = "--no-mdns", description = "Do not look for peers on the LAN (mDNS).")
  boolean noMdns;

  @Option(names = "--stop-after", paramLabel = "SECONDS", hidden = true, description = "Stop by itself (for scripts and tests).")
  long stopAfterSeconds;

  @Override
  public Integer call() throws Exception {
    DataDir dir = new DataDir(dataDir != null ? dataDir : DataDir.defaultPath());
    Files.createDirectories(dir.path());
    List<String> created = new ArrayList<>();
    DataDir.Keys keys;
    try {
      keys = dir.keys(created);
    } catch (org.grapevine.protocol.keys.KeyFileException e) {
      throw new org.grapevine.cli.p2p.CliException("cannot read the keys in " + dir.path() + ": " + e.getMessage());
    }
    for (String c : created) {
      System.out.println("created " + c);
    }
    HostConfig.Builder host = HostConfig.builder(keys.peer())
        .listen("/" + (bindHost.contains(":") ? "ip6" : "ip4") + "/" + bindHost + "/tcp/" + port)
        .agentVersion("grapevine/" + org.grapevine.cli.Main.version());
    if (swarmKey != null) {
      try {
        host.swarmKey(SwarmKey.parse(Files.readAllBytes(swarmKey)));
      } catch (java.nio.file.NoSuchFileException e) {
        throw new org.grapevine.cli.p2p.CliException("swarm key file " + swarmKey + " does not exist");
      } catch (org.grapevine.libp2p.pnet.SwarmKeyException e) {
        throw new org.grapevine.cli.p2p.CliException("swarm key file " + swarmKey + ": " + e.getMessage());
      }
    }
    DiscoveryConfig discovery;
    try {
      discovery = DiscoveryConfig.builder().bootstrap(bootstrap).mdns(!noMdns).build();
    } catch (IllegalArgumentException e) {
      throw new org.grapevine.cli.p2p.CliException(e.getMessage());
    }
    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
    Node node;
    try {
      node = Node.start(dir.path(), keys.identity(), keys.root(), keys.device(), host.build(), group, discovery);
    } catch (java.io.IOException | IllegalStateException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new org.grapevine.cli.p2p.CliException("cannot start the node: " + e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      node.close();
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
      stopped.countDown();
    }, "grapevine-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    node.discovery().addListener((peer, source, addrs) ->
        System.out.println("discovered: " + peer + " via " + source.name().toLowerCase(java.util.Locale.ROOT) + " at " + addrs));
    node.host().addListener(new HostListener() {
      @Override
      public void onConnected(Connection c) {
        System.out.println("connected: " + c);
      }

      @Override
      public void onDisconnected(Connection c) {
        System.out.println("disconnected: " + c);
      }
    });
    System.out.println("identity:  " + keys.identity());
    System.out.println("data dir:  " + dir.path());
    for (Multiaddr a : node.host().listenAddrs()) {
      System.out.println("listening: " + a.withPeerId(node.host().peerId()));
    }
    System.out.println("following: " + node.store().follows().size() + " identities (yourself included); Ctrl-C stops the node");
    System.out.flush();
    if (stopAfterSeconds > 0) {
      if (!stopped.await(stopAfterSeconds, TimeUnit.SECONDS)) {
        Runtime.getRuntime().removeShutdownHook(hook);
        hook.run();
      }
    } else {
      stopped.await();
    }
    return 0;
  }
}
