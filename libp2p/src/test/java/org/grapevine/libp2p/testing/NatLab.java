package org.grapevine.libp2p.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The NAT lab of a test, as a JUnit extension ({@code @RegisterExtension final NatLab lab = new
 * NatLab("gh")}): before each test a {@link RoutedNetwork} named after the prefix and this JVM, and
 * after it the child JVMs started in it are stopped and the namespaces removed. Where namespaces
 * cannot be made (not root, no iproute2) the test is skipped, except with {@code CI=true}, where
 * that fails it.
 *
 * <p>The homes: Alice behind her NAT at {@link #ALICE_IP} ({@code 192.168.71.0/24} inside), Bob at
 * {@link #BOB_IP} ({@code 192.168.72.0/24}), both on the fake internet {@code 11.0.x.0/24}.
 */
public final class NatLab implements BeforeEachCallback, AfterEachCallback {
  /** Alice's public address: her NAT router's outside. */
  public static final String ALICE_IP = "11.0.1.2";

  /** Bob's public address: his NAT router's outside. */
  public static final String BOB_IP = "11.0.2.2";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String tag;
  private final List<NetnsJava> children = new ArrayList<>();
  private RoutedNetwork net;

  /** {@code prefix}: two letters that tell this test's namespaces from other tests'. */
  public NatLab(String prefix) {
    this.tag = prefix + (ProcessHandle.current().pid() % 10_000);
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException, InterruptedException {
    String why = NetNamespaces.unavailable(tag + "p");
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("the NAT lab cannot run on CI: " + why);
      }
      Assumptions.abort("skipping the NAT lab: " + why + " (needs root, iproute2, nftables)");
    }
    net = new RoutedNetwork(tag);
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException, InterruptedException {
    for (NetnsJava c : children) {
      c.close();
    }
    children.clear();
    if (net != null) {
      net.close();
      net = null;
    }
  }

  public RoutedNetwork net() {
    return net;
  }

  /** Alice's home behind her NAT; returns the namespace to start her in. */
  public String aliceHome() throws IOException, InterruptedException {
    return net.natNetwork("a", "11.0.1", "192.168.71");
  }

  /** Bob's home behind his NAT, a symmetric one if asked; returns his namespace. */
  public String bobHome(boolean symmetric) throws IOException, InterruptedException {
    return net.natNetwork("b", "11.0.2", "192.168.72", symmetric);
  }

  /** Starts {@code main} in {@code ns} ({@link NetnsJava#start}); stopped after the test. */
  public NetnsJava start(String ns, Class<?> main, String... args) throws IOException {
    NetnsJava c = NetnsJava.start(ns, main, args);
    children.add(c);
    return c;
  }

  /** A fresh identity for a child: its key, as hex for the command line, and its peer ID. */
  public record Peer(PrivKey key, PeerId id) {
    public static Peer generate() {
      PrivKey key = PrivKey.generate(RANDOM);
      return new Peer(key, PeerId.fromPubKey(key.publicKey()));
    }

    public String keyHex() {
      return HexFormat.of().formatHex(key.encode());
    }
  }
}
