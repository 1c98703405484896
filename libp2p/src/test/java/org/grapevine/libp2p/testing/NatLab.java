package org.grapevine.libp2p.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The NAT lab of a test: a {@link RoutedNetwork} named {@code tag} and the child JVMs started in
 * it. {@link #open} skips the test where namespaces cannot be made (not root, no iproute2), except
 * with {@code CI=true}, where that fails it; {@link #close} stops the children, then removes the
 * namespaces.
 */
public final class NatLab {
  private final RoutedNetwork net;
  private final List<NetnsJava> children = new ArrayList<>();

  private NatLab(RoutedNetwork net) {
    this.net = net;
  }

  public static NatLab open(String tag) throws IOException, InterruptedException {
    String why = NetNamespaces.unavailable(tag + "p");
    if (why != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("the NAT lab cannot run on CI: " + why);
      }
      Assumptions.abort("skipping the NAT lab: " + why + " (needs root, iproute2, nftables)");
    }
    return new NatLab(new RoutedNetwork(tag));
  }

  public RoutedNetwork net() {
    return net;
  }

  /** Starts {@code main} in {@code ns} ({@link NetnsJava#start}); stopped by {@link #close}. */
  public NetnsJava start(String ns, Class<?> main, String... args) throws IOException {
    NetnsJava c = NetnsJava.start(ns, main, args);
    children.add(c);
    return c;
  }

  public void close() throws IOException, InterruptedException {
    for (NetnsJava c : children) {
      c.close();
    }
    net.close();
  }
}
