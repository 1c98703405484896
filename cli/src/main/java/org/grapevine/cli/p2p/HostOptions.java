package org.grapevine.cli.p2p;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.multiaddr.MultiaddrFormatException;
import org.grapevine.libp2p.pnet.SwarmKey;
import org.grapevine.libp2p.pnet.SwarmKeyException;
import picocli.CommandLine.Option;

/** Options every p2p command shares, and the host they build (with a throwaway identity). */
final class HostOptions {
  @Option(
      names = "--swarm-key",
      paramLabel = "FILE",
      description = "Join the private network of this swarm key file.")
  Path swarmKey;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "10",
      description = "Give up after this long (default ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  Duration timeout() {
    return Duration.ofSeconds(timeoutSeconds);
  }

  Host start(String... listen) throws CliException {
    return start(java.util.function.UnaryOperator.identity(), listen);
  }

  /** A host with {@code extra} applied to its config (AutoNAT, for one). */
  Host start(java.util.function.UnaryOperator<HostConfig.Builder> extra, String... listen)
      throws CliException {
    HostConfig.Builder b =
        HostConfig.builder(PrivKey.generate(new SecureRandom()))
            .listen(listen)
            .dialTimeout(timeout())
            .upgradeTimeout(timeout())
            .agentVersion("grapevine-cli/" + org.grapevine.cli.Main.version());
    if (swarmKey != null) {
      b.swarmKey(readSwarmKey(swarmKey));
    }
    Host host = new Host(extra.apply(b).build());
    try {
      host.start();
    } catch (IOException e) {
      host.close();
      throw new CliException(e.getMessage());
    }
    return host;
  }

  static SwarmKey readSwarmKey(Path file) throws CliException {
    try {
      return SwarmKey.parse(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new CliException("swarm key file " + file + " does not exist");
    } catch (IOException e) {
      throw new CliException("cannot read swarm key file " + file + ": " + e.getMessage());
    } catch (SwarmKeyException e) {
      throw new CliException("swarm key file " + file + ": " + e.getMessage());
    }
  }

  static Multiaddr parseAddr(String text) throws CliException {
    try {
      return Multiaddr.parse(text);
    } catch (MultiaddrFormatException e) {
      throw new CliException("not a multiaddr: " + text + " (" + e.getMessage() + ")");
    }
  }
}
