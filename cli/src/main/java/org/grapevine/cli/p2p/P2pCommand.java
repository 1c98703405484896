package org.grapevine.cli.p2p;

import picocli.CommandLine.Command;

/** {@code grapevine p2p}: diagnostics that work against any libp2p node. */
@Command(
    name = "p2p",
    description =
        "Diagnose the libp2p network: identify, ping, listen, GossipSub pub/sub, swarm keys, the DHT. Works with any libp2p node.",
    mixinStandardHelpOptions = true,
    subcommands = {
      IdCommand.class,
      PingCommand.class,
      ListenCommand.class,
      SubCommand.class,
      PubCommand.class,
      SwarmKeyCommand.class,
      DhtCommand.class,
      AutonatCommand.class,
      RelayCommand.class
    })
public final class P2pCommand {}
