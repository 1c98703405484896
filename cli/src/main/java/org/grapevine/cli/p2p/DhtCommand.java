package org.grapevine.cli.p2p;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.ToLongFunction;
import org.grapevine.libp2p.encoding.Base32;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.kad.Dht;
import org.grapevine.libp2p.kad.DhtConfig;
import org.grapevine.libp2p.kad.DhtEvent;
import org.grapevine.libp2p.kad.KadPeer;
import org.grapevine.libp2p.kad.PkRecords;
import org.grapevine.libp2p.kad.RawCid;
import org.grapevine.libp2p.kad.netty.DhtDriver;
import org.grapevine.libp2p.kad.netty.KadStreamConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.grapevine.libp2p.peer.PeerIdFormatException;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;
import org.grapevine.protocol.topic.TopicCid;
import org.grapevine.protocol.topic.Topics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine p2p dht find-peer|providers|get}: one query of the Kademlia DHT ({@code
 * /ipfs/kad/1.0.0}) of any libp2p network, started from the peers given with {@code --peer}, in
 * client mode (nothing is served, nothing is stored).
 */
@Command(
    name = "dht",
    mixinStandardHelpOptions = true,
    description = "Query the Kademlia DHT (/ipfs/kad/1.0.0) of any libp2p network.",
    subcommands = {DhtCommand.FindPeer.class, DhtCommand.Providers.class, DhtCommand.Get.class})
public final class DhtCommand {
  private DhtCommand() {}

  abstract static class Query implements Callable<Integer> {
    @Option(
        names = "--peer",
        required = true,
        paramLabel = "MULTIADDR",
        description = "A DHT peer to start from, with /p2p/<id> (repeat for several).")
    List<String> peers;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Mixin HostOptions options;

    abstract ToLongFunction<Dht> start() throws CliException;

    abstract void print(DhtDriver.Outcome outcome);

    @Override
    public Integer call() throws Exception {
      ToLongFunction<Dht> query = start();
      DefaultEventExecutor loop = new DefaultEventExecutor();
      try (Host host = options.start()) {
        Dht dht =
            new Dht(host.peerId(), DhtConfig.DEFAULT, new SplittableRandom(), DhtDriver.now());
        DhtDriver driver =
            new DhtDriver(host, dht, loop, KadStreamConfig.defaults(), false, options.timeout());
        driver.start();
        List<KadPeer> seeds = new ArrayList<>();
        for (String text : peers) {
          Multiaddr addr = HostOptions.parseAddr(text);
          if (addr.peerId().isEmpty()) {
            throw new CliException("--peer " + text + ": needs /p2p/<peer id>");
          }
          Connection c = Cli.await(host.dial(addr), options.timeout(), "dial " + addr);
          seeds.add(new KadPeer(c.remotePeer(), List.of(addr.withoutPeerId())));
        }
        driver.input(d -> d.handleSeed(seeds, DhtDriver.now()));
        // A lookup may ask dozens of peers one after another: allow it several timeouts.
        DhtDriver.Outcome outcome =
            Cli.await(driver.query(query), options.timeout().multipliedBy(6), "the DHT query");
        print(outcome);
        driver.close();
        return outcome.done().stats().success() ? 0 : 1;
      } finally {
        loop.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
      }
    }

    String stats(DhtEvent.QueryDone d) {
      return String.format(
          "%d requests, %d failed, %d hops, %.0f ms",
          d.stats().requests(),
          d.stats().failures(),
          d.stats().hops(),
          d.stats().durationNanos() / 1e6);
    }

    String statsJson(DhtEvent.QueryDone d) {
      return String.format(
          "\"requests\":%d,\"failures\":%d,\"hops\":%d,\"ms\":%.0f",
          d.stats().requests(),
          d.stats().failures(),
          d.stats().hops(),
          d.stats().durationNanos() / 1e6);
    }

    static String peerJson(KadPeer p) {
      return "{\"peer_id\":"
          + Json.str(p.id().toString())
          + ",\"addrs\":"
          + Json.strs(p.addrs().stream().map(Multiaddr::toString).toList())
          + "}";
    }
  }

  @Command(
      name = "find-peer",
      mixinStandardHelpOptions = true,
      description = "Find a peer's addresses (FIND_NODE lookup).")
  static final class FindPeer extends Query {
    @Parameters(paramLabel = "PEER_ID")
    String peer;

    private PeerId target;

    @Override
    ToLongFunction<Dht> start() throws CliException {
      try {
        target = PeerId.parse(peer);
      } catch (PeerIdFormatException e) {
        throw new CliException("not a peer ID: " + peer + " (" + e.getMessage() + ")");
      }
      return d -> d.findPeer(target, DhtDriver.now());
    }

    @Override
    void print(DhtDriver.Outcome o) {
      List<KadPeer> found = o.done().peers();
      if (json) {
        System.out.println(
            "{\"found\":"
                + (found.isEmpty() ? "null" : peerJson(found.get(0)))
                + ","
                + statsJson(o.done())
                + "}");
      } else if (found.isEmpty()) {
        System.out.println("not found: " + target + " (" + stats(o.done()) + ")");
      } else {
        System.out.println(target + " at " + found.get(0).addrs() + " (" + stats(o.done()) + ")");
      }
    }
  }

  @Command(
      name = "providers",
      mixinStandardHelpOptions = true,
      description = {
        "Find the providers of a key (GET_PROVIDERS walk): a CID (bafk...), or a Grapevine",
        "identity (gv1...), whose topic's providers are the peers that carry it."
      })
  static final class Providers extends Query {
    @Parameters(paramLabel = "CID_OR_IDENTITY")
    String key;

    @Option(
        names = "--count",
        defaultValue = "20",
        description = "Stop after this many providers (default ${DEFAULT-VALUE}).")
    int count;

    @Override
    ToLongFunction<Dht> start() throws CliException {
      byte[] multihash = multihash(key);
      int wanted = Math.max(1, Math.min(count, DhtConfig.DEFAULT.maxWantedProviders()));
      return d -> d.findProviders(multihash, wanted, DhtDriver.now());
    }

    static byte[] multihash(String key) throws CliException {
      if (key.startsWith("gv1")) {
        try {
          return TopicCid.providerKey(Topics.forIdentity(Identity.parse(key)));
        } catch (IdentityFormatException e) {
          throw new CliException("not an identity: " + e.getMessage());
        }
      }
      if (key.startsWith("b")) {
        try {
          byte[] cid = Base32.decode(key.substring(1));
          // CIDv1: version 1, a one-byte codec (raw 0x55, dag-pb 0x70, ...), then the multihash.
          if (cid.length > 3 && cid[0] == 1 && (cid[1] & 0x80) == 0) {
            return java.util.Arrays.copyOfRange(cid, 2, cid.length);
          }
        } catch (IllegalArgumentException e) {
          // Reported below.
        }
      }
      throw new CliException(
          "not a CIDv1 in base32 (b...) nor a Grapevine identity (gv1...): " + key);
    }

    @Override
    void print(DhtDriver.Outcome o) {
      if (json) {
        StringBuilder sb = new StringBuilder("{\"providers\":[");
        for (int i = 0; i < o.providers().size(); i++) {
          sb.append(i == 0 ? "" : ",").append(peerJson(o.providers().get(i)));
        }
        System.out.println(sb.append("],").append(statsJson(o.done())).append('}'));
        return;
      }
      try {
        System.out.println("providers of " + RawCid.text(multihash(key)) + ":");
      } catch (CliException cannotHappen) {
        // Parsed before the query started.
      }
      o.providers().forEach(p -> System.out.println("  " + p.id() + " " + p.addrs()));
      System.out.println(o.providers().size() + " found (" + stats(o.done()) + ")");
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Get a peer's public key record (/pk/<peer id>) with GET_VALUE.")
  static final class Get extends Query {
    @Parameters(paramLabel = "KEY", description = "/pk/<peer id>")
    String key;

    @Override
    ToLongFunction<Dht> start() throws CliException {
      if (!key.startsWith("/pk/")) {
        throw new CliException("only /pk/<peer id> records are validated, got " + key);
      }
      byte[] k;
      try {
        k = PkRecords.key(PeerId.parse(key.substring(4)));
      } catch (PeerIdFormatException e) {
        throw new CliException("not a peer ID after /pk/: " + e.getMessage());
      }
      return d -> d.getValue(k, DhtDriver.now());
    }

    @Override
    void print(DhtDriver.Outcome o) {
      String value = o.done().record().map(r -> HexFormat.of().formatHex(r.value())).orElse(null);
      if (json) {
        System.out.println(
            "{\"value\":"
                + (value == null ? "null" : Json.str(value))
                + ","
                + statsJson(o.done())
                + "}");
      } else {
        System.out.println(
            (value == null ? "no valid record for " + key : key + " = " + value)
                + " ("
                + stats(o.done())
                + ")");
      }
    }
  }
}
