package org.grapevine.libp2p.autonat;

import java.util.Objects;
import java.util.Optional;

/**
 * Which AutoNAT roles a host plays, and their settings.
 *
 * @param server the v2 server's settings, or empty to serve neither v2 nor v1
 * @param serveV1 whether to serve {@link #V1} too (for older peers), with the same settings
 * @param client the v2 client's settings, or empty to never ask (reachability stays UNKNOWN)
 */
public record AutonatConfig(
    Optional<AutonatServerConfig> server, boolean serveV1, Optional<AutonatClientConfig> client) {
  /** AutoNAT v2: the client's requests and the server's answers. */
  public static final String DIAL_REQUEST = "/libp2p/autonat/2/dial-request";

  /** AutoNAT v2: the server's dial back, on a new connection. */
  public static final String DIAL_BACK = "/libp2p/autonat/2/dial-back";

  /** AutoNAT v1. */
  public static final String V1 = "/libp2p/autonat/1.0.0";

  public AutonatConfig {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(client, "client");
  }

  /** Client and both servers with their defaults: what a node on the internet runs. */
  public static AutonatConfig defaults() {
    return new AutonatConfig(
        Optional.of(AutonatServerConfig.defaults()),
        true,
        Optional.of(AutonatClientConfig.defaults()));
  }
}
