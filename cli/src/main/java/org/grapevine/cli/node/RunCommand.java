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
import org.grapevine.cli.p2p.CliException;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.api.ApiServer;
import org.grapevine.node.config.ConfigException;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code grapevine run}: start a node in the foreground (store, gossip, sync, local API) until
 * Ctrl-C, as the identity of the data directory ({@code init}, {@code identity import} or {@code
 * device import} put it there; run never makes one). Without the root key it runs as the identity's
 * device. It creates what else is missing ({@code config.toml}, the API token, the network key) and
 * says so. Flags override the config file.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Start a Grapevine node in the foreground; stop it with Ctrl-C. It runs as the identity of the data directory "
          + "(grapevine init makes one; without the root key, as its device). It creates config.toml and the API token "
          + "if missing. Flags override config.toml.",
      "Sealed keys (init --passphrase) need the passphrase: --passphrase-file, $GRAPEVINE_PASSPHRASE, or the terminal prompt."
    })
public final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory (default: $GRAPEVINE_DATA_DIR, else $XDG_DATA_HOME/grapevine, else ~/.local/share/grapevine).")
  Path dataDir;

  @Option(
      names = {"-p", "--port"},
      description =
          "libp2p TCP port; 0 = any free port (default: [network] port of config.toml, 0).")
  Integer port;

  @Option(
      names = "--host",
      description =
          "Address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (default: [network] host of config.toml, 0.0.0.0).")
  String bindHost;

  @Option(
      names = "--bootstrap",
      paramLabel = "MULTIADDR",
      description =
          "Peer to keep connected: /ip4/.../tcp/PORT/p2p/ID or /dnsaddr/NAME (repeatable; replaces [network] bootstrap); redialed with backoff, never forgotten.")
  List<String> bootstrap = new ArrayList<>();

  @Option(
      names = "--swarm-key",
      paramLabel = "FILE",
      description = "Join the private network of this swarm key file.")
  Path swarmKey;

  @Option(names = "--no-mdns", description = "Do not look for peers on the LAN (mDNS).")
  boolean noMdns;

  @Option(
      names = "--no-bootstrap",
      description =
          "Dial no bootstrap peer, whatever [network] bootstrap says (no DNS lookups either): LAN,"
              + " known peers and invites only.")
  boolean noBootstrap;

  @Option(
      names = "--api-port",
      paramLabel = "PORT",
      description =
          "Local API port on 127.0.0.1; 0 = any free port (default: [api] port of config.toml, 7320).")
  Integer apiPort;

  @picocli.CommandLine.Mixin org.grapevine.cli.keys.Passphrases passphrases;

  @Option(
      names = "--stop-after",
      paramLabel = "SECONDS",
      hidden = true,
      description = "Stop by itself (for scripts and tests).")
  long stopAfterSeconds;

  @Override
  public Integer call() throws Exception {
    DataDir dir = new DataDir(dataDir != null ? dataDir : DataDir.defaultPath());
    List<String> created = new ArrayList<>();
    NodeConfig config;
    DataDir.Keys keys;
    String token;
    try {
      // The keys first. A data directory with no keys at all is a first run: it gets a new
      // identity exactly as `grapevine init` makes one (the README's one-command quick start).
      // A directory that holds any key but no identity is refused before anything is written:
      // making a root key there would silently be another identity.
      if (!java.nio.file.Files.exists(dir.rootKeyFile().getParent())) {
        keys = dir.createIdentity(created, null);
        System.out.println(
            "no identity in " + dir.path() + " yet: created one, as `grapevine init` does");
      } else {
        keys =
            dir.keys(
                created,
                passphrases.resolve(
                    null, dir.keysSealed(), "passphrase for the keys in " + dir.path() + ": "));
      }
      config = withFlags(dir.config(created));
      token = dir.apiToken(created);
    } catch (ConfigException e) {
      throw new CliException("bad configuration: " + e.getMessage());
    } catch (org.grapevine.protocol.keys.KeyFileException e) {
      throw switch (e.problem()) {
        case PASSPHRASE_REQUIRED ->
            new CliException(
                "keys in "
                    + dir.path()
                    + " are protected by a passphrase; pass --passphrase-file or set "
                    + org.grapevine.cli.keys.Passphrases.ENV);
        case WRONG_PASSPHRASE ->
            new CliException(
                "wrong passphrase for the keys in "
                    + dir.path()
                    + " (or a key file was altered); try again");
        default ->
            new CliException("cannot read the keys in " + dir.path() + ": " + e.getMessage());
      };
    } catch (java.io.IOException e) {
      throw new CliException(
          "cannot prepare the data directory " + dir.path() + ": " + e.getMessage());
    }
    for (String c : created) {
      System.out.println("created " + c);
    }
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(0, NioIoHandler.newFactory());
    Node node;
    ApiServer api;
    try {
      node =
          NodeLauncher.of(config, dir.path(), keys, group)
              .host(h -> h.agentVersion("grapevine/" + org.grapevine.cli.Main.version()))
              .start();
    } catch (ConfigException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      throw new CliException("bad configuration: " + e.getMessage());
    } catch (java.io.IOException | IllegalStateException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      boolean portTaken = false; // By type: the text of a BindException differs between systems.
      for (Throwable c = e; c != null; c = c.getCause()) {
        portTaken |= c instanceof java.net.BindException;
      }
      String hint =
          portTaken
              ? " (another node or program uses that port: pick another with --port, or 0 for any free port)"
              : "";
      throw new CliException("cannot start the node: " + e.getMessage() + hint);
    }
    try {
      api = ApiServer.start(node, config.api().port(), token, group, config, dir.rootKeyFile());
      Files.writeString(dir.apiEndpointFile(), api.url() + "\n");
    } catch (java.io.IOException e) {
      node.close();
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      throw new CliException(e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runnable shutdown =
        () -> {
          try {
            Files.deleteIfExists(dir.apiEndpointFile());
          } catch (java.io.IOException e) {
            System.err.println(
                "grapevine: cannot remove " + dir.apiEndpointFile() + ": " + e.getMessage());
          }
          api.close();
          node.close();
          group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
          stopped.countDown();
        };
    Thread hook = new Thread(shutdown, "grapevine-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    node.discovery()
        .addListener(
            (peer, source, addrs) ->
                System.out.println(
                    "discovered: "
                        + peer
                        + " via "
                        + source.name().toLowerCase(java.util.Locale.ROOT)
                        + " at "
                        + addrs));
    node.host()
        .addListener(
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
    System.out.println("identity:  " + keys.identity());
    System.out.println("data dir:  " + dir.path());
    switch (node.deviceStatus().state()) {
      case UNKNOWN ->
          System.out.println(
              "device:    not delegated yet: waiting for the root log of "
                  + keys.identity()
                  + " from peers (--bootstrap a node of this identity); posting is refused until then");
      case REVOKED ->
          System.out.println(
              "device:    revoked by the identity; this node reads but can no longer post");
      default -> {}
    }
    // A wildcard cannot be dialled: shown as each interface's address, loopback first.
    List<Multiaddr> shown =
        new ArrayList<>(
            org.grapevine.libp2p.mdns.MdnsAddresses.expandWildcards(
                node.host().listenAddrs(),
                org.grapevine.libp2p.mdns.MdnsAddresses.interfaceAddresses()));
    shown.sort(
        java.util.Comparator.comparing(
            a -> !a.tcpSocketAddress().orElseThrow().getAddress().isLoopbackAddress()));
    for (Multiaddr a : shown) {
      System.out.println("listening: " + a.withPeerId(node.host().peerId()));
    }
    System.out.println("api:       " + api.url() + " (token in " + dir.apiTokenFile() + ")");
    int following = node.store().follows().size() - 1;
    System.out.println(
        "following: "
            + following
            + (following == 1 ? " identity" : " identities")
            + "; Ctrl-C stops the node");
    System.out.flush();
    if (stopAfterSeconds > 0) {
      if (!stopped.await(stopAfterSeconds, TimeUnit.SECONDS)) {
        Runtime.getRuntime().removeShutdownHook(hook);
        shutdown.run(); // on this thread: the hook thread is no longer registered
      }
    } else {
      stopped.await();
    }
    return 0;
  }

  /** The config with every flag given on the command line put over it. */
  private NodeConfig withFlags(NodeConfig c) throws CliException {
    NodeConfig.Network n = c.network();
    if (bindHost != null) {
      if (!io.netty.util.NetUtil.isValidIpV4Address(bindHost)
          && !io.netty.util.NetUtil.isValidIpV6Address(bindHost)) {
        throw new CliException(
            "--host " + bindHost + ": not an IP address (for example 127.0.0.1 or 0.0.0.0)");
      }
      n = n.withHost(bindHost);
    }
    if (port != null) {
      n = n.withPort(checkPort("--port", port));
    }
    if (noBootstrap && !bootstrap.isEmpty()) {
      throw new CliException("--no-bootstrap and --bootstrap contradict each other; give one");
    }
    if (!bootstrap.isEmpty()) {
      n = n.withBootstrap(bootstrap);
    }
    if (noBootstrap) {
      n = n.withBootstrap(java.util.List.of());
    }
    if (swarmKey != null) {
      n = n.withSwarmKey(swarmKey.toAbsolutePath());
    }
    if (noMdns) {
      n = n.withMdns(false);
    }
    c = c.withNetwork(n);
    return apiPort == null ? c : c.withApi(new NodeConfig.Api(checkPort("--api-port", apiPort)));
  }

  private static int checkPort(String flag, int p) throws CliException {
    if (p < 0 || p > 65_535) {
      throw new CliException(flag + " " + p + ": ports go from 0 (any free port) to 65535");
    }
    return p;
  }
}
