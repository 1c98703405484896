package org.grapevine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.grapevine.libp2p.testing.RoutedNetwork;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The lab of the routed netns ITs ({@link DhtNetnsIT}, {@link NatQuickStartNetnsIT}, {@link
 * RelayNetnsIT}), as a JUnit extension ({@code @RegisterExtension final NetnsLab lab = ...}).
 * Before each test: checks that namespaces can be made and the {@code commands} run (skips the test
 * without them, fails it with {@code CI=true}), then makes a {@link RoutedNetwork} and a {@link
 * NetnsCli} in a fresh temp dir. After it, also after a failure: stops every process, copies the
 * logs asked for with {@link #keepLog} to {@code cli/target/}, removes every namespace, and deletes
 * the temp dir.
 */
final class NetnsLab implements BeforeEachCallback, AfterEachCallback {
  /** Nodes stop by themselves after this, should a test fail to stop them. */
  private static final String SAFETY_STOP_SECONDS = "280";

  private final String router;
  private final String test;
  private final String needs;
  private final String[] commands;
  private final Map<NetnsCli.Proc, String> logs = new LinkedHashMap<>();
  private Path tmp;
  private NetnsCli cli;
  private RoutedNetwork net;

  /**
   * @param prefix two or three letters: namespace and interface names start with it
   * @param test what the test is, for the skip message
   * @param needs what it needs, for the skip message
   * @param commands commands it needs besides {@code ip} (e.g. {@code nft})
   */
  NetnsLab(String prefix, String test, String needs, String... commands) {
    this.router =
        prefix
            + (ProcessHandle.current().pid() % 100_000)
            + Long.toString(System.nanoTime() % 1000, 36);
    this.test = test;
    this.needs = needs;
    this.commands = commands.clone();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    NetnsCli.requireNamespaces(router + "p", test, needs, commands);
    tmp = Files.createTempDirectory("netns-lab");
    cli = new NetnsCli(tmp, SAFETY_STOP_SECONDS);
    net = new RoutedNetwork(router);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    try {
      if (cli != null) {
        cli.close();
      }
      for (Map.Entry<NetnsCli.Proc, String> e : logs.entrySet()) {
        Files.copy(
            e.getKey().stderr,
            Path.of("target", e.getValue() + ".log"),
            StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      try {
        if (net != null) {
          net.close();
        }
      } finally {
        deleteTree(tmp);
      }
    }
  }

  NetnsCli cli() {
    return cli;
  }

  RoutedNetwork net() {
    return net;
  }

  /** The router namespace's name: host namespaces are named after it plus their network's name. */
  String router() {
    return router;
  }

  /** Keeps {@code p}'s log (stderr) as {@code cli/target/<name>.log} after the test. */
  void keepLog(NetnsCli.Proc p, String name) {
    logs.put(p, name);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
