package org.grapevine.cli;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.Node;
import org.grapevine.node.NodeLauncher;
import org.grapevine.node.api.ApiServer;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;

/**
 * A real node with its local API on 127.0.0.1, in the test JVM, for a data directory: what {@code
 * grapevine run} starts, and the {@code api.endpoint} file a running node writes, so the commands
 * under test find it exactly as they find a real one.
 */
public final class TestNode implements AutoCloseable {
  private final DataDir dir;
  private final MultiThreadIoEventLoopGroup group;
  private final Node node;
  private final ApiServer api;

  private TestNode(DataDir dir, MultiThreadIoEventLoopGroup group, Node node, ApiServer api) {
    this.dir = dir;
    this.group = group;
    this.node = node;
    this.api = api;
  }

  /**
   * Starts a node for {@code dataDir}, creating its identity first if it holds none (as {@code
   * init} does).
   */
  public static TestNode start(Path dataDir) throws Exception {
    return start(dataDir, NodeConfig.loopback());
  }

  /** {@link #start(Path)} with another config (a DHT mode, bootstrap peers). */
  public static TestNode start(Path dataDir, NodeConfig config) throws Exception {
    DataDir dir = new DataDir(dataDir);
    DataDir.Keys keys =
        Files.exists(dir.identityFile()) || Files.exists(dir.rootKeyFile())
            ? dir.keys(new ArrayList<>())
            : dir.createIdentity(new ArrayList<>(), null);
    String token = dir.apiToken(new ArrayList<>());
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    Node node = NodeLauncher.of(config, dataDir, keys, group).start();
    ApiServer api = ApiServer.start(node, 0, token, group);
    Files.writeString(dir.apiEndpointFile(), api.url() + "\n");
    return new TestNode(dir, group, node, api);
  }

  public Node node() {
    return node;
  }

  public String identity() {
    return node.identity().toString();
  }

  @Override
  public void close() throws java.io.IOException {
    api.close();
    node.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    Files.deleteIfExists(dir.apiEndpointFile()); // As a node that stops cleanly does.
  }
}
