package org.grapevine.cli.p2p;

import java.security.SecureRandom;
import java.util.concurrent.Callable;
import org.grapevine.libp2p.pnet.SwarmKey;
import picocli.CommandLine.Command;

/** {@code grapevine p2p swarm-key new}: a fresh private-network key in the base16 file form. */
@Command(
    name = "swarm-key",
    mixinStandardHelpOptions = true,
    description = "Private network (pnet) keys.",
    subcommands = SwarmKeyCommand.New.class)
final class SwarmKeyCommand {
  @Command(
      name = "new",
      mixinStandardHelpOptions = true,
      description =
          "Print a new swarm key file (/key/swarm/psk/1.0.0/, base16) to stdout: grapevine p2p swarm-key new > swarm.key")
  static final class New implements Callable<Integer> {
    @Override
    public Integer call() {
      System.out.println(SwarmKey.generate(new SecureRandom()).format());
      return 0;
    }
  }
}
