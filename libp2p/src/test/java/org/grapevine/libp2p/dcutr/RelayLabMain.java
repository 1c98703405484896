package org.grapevine.libp2p.dcutr;

import static org.grapevine.libp2p.testing.LabChild.ms;
import static org.grapevine.libp2p.testing.LabChild.say;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.io.BufferedReader;
import java.time.Duration;
import java.util.List;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.dcutr.netty.DcutrResult;
import org.grapevine.libp2p.dcutr.netty.DcutrService;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostListener;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.relay.HopConfig;
import org.grapevine.libp2p.relay.RelayClientConfig;
import org.grapevine.libp2p.relay.RelayClientEvent;
import org.grapevine.libp2p.relay.netty.CircuitTransport;
import org.grapevine.libp2p.relay.netty.HopServer;
import org.grapevine.libp2p.relay.netty.RelayClientDriver;
import org.grapevine.libp2p.testing.LabChild;

/**
 * A child process for {@link DcutrRelayNetnsIT}. Arguments: role, port, private key (protobuf,
 * hex), own public IP, and for {@code alice} the relay's multiaddr (with /p2p). Roles:
 *
 * <ul>
 *   <li>{@code relay}: serves circuit relay v2 (hop) on its public address.
 *   <li>{@code alice}: reserves a slot on the relay, prints {@code reserved <ms> <circuit addr>};
 *       on the inbound relayed connection prints {@code relayed-in <ms>} and runs DCUtR as the
 *       initiator.
 *   <li>{@code bob}: on {@code dial <addr>} from stdin dials Alice through the relay, prints {@code
 *       relayed-out <ms>}; answers DCUtR as the responder.
 * </ul>
 *
 * Alice and Bob offer {@code <own public IP>:<port>} as their observed address and print {@code
 * dcutr <outcome> <attempts> <direct remote addr or -> <ms since start>}. Exits when stdin closes.
 */
public final class RelayLabMain {
  private RelayLabMain() {}

  @SuppressWarnings("FutureReturnValueIgnored") // terminal callbacks report both outcomes
  public static void main(String[] args) throws Exception {
    String role = args[0];
    int port = Integer.parseInt(args[1]);
    PrivKey key = LabChild.key(args[2]);
    Multiaddr own = Multiaddr.parse("/ip4/" + args[3] + "/tcp/" + port);
    long t0 = System.nanoTime();
    MultiThreadIoEventLoopGroup group = LabChild.group();
    Host host = LabChild.host(key, port, Duration.ofSeconds(3), group);
    RelayClientDriver client = null;
    if (role.equals("relay")) {
      HopServer.start(host, HopConfig.DEFAULT, () -> List.of(own));
    } else {
      DcutrService dcutr = DcutrLab.service(host, own);
      dcutr.addResponderListener((c, r) -> report(r, t0));
      dcutr.start();
      if (role.equals("alice")) {
        host.addListener(
            new HostListener() {
              @Override
              public void onConnected(Connection c) {
                if (c.isRelayed() && c.direction() == Connection.Direction.INBOUND) {
                  say("relayed-in " + ms(t0));
                }
              }
            });
        dcutr.upgradeInboundRelayed((c, r) -> report(r, t0));
      }
    }
    if (role.equals("bob")) {
      CircuitTransport.install(host); // To dial /p2p-circuit addresses (Alice's client has it).
    }
    host.start();
    say("self " + host.peerId());
    if (role.equals("alice")) {
      Multiaddr relay = Multiaddr.parse(args[4]);
      client = RelayClientDriver.start(host, RelayClientConfig.DEFAULT.withWantedRelays(1));
      client.addListener(
          e -> {
            if (e instanceof RelayClientEvent.Reserved r) {
              say("reserved " + ms(t0) + " " + r.circuitAddrs().get(0));
            } else {
              say("reservation-failed " + e);
            }
          });
      client.addRelay(relay.peerId().orElseThrow(), List.of(relay.withoutPeerId()));
    }
    BufferedReader in = LabChild.stdin();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (line.startsWith("dial ") && role.equals("bob")) {
        long t = System.nanoTime();
        host.dial(Multiaddr.parse(line.substring(5).strip()))
            .whenComplete(
                (c, e) ->
                    say(
                        e == null
                            ? "relayed-out " + ms(t) + " relayed=" + c.isRelayed()
                            : "dial-failed " + e));
      }
    }
    if (client != null) {
      client.close();
    }
    host.close();
    LabChild.shutdown(group);
  }

  private static void report(DcutrResult r, long t0) {
    say("dcutr " + DcutrLab.describe(r, t0));
  }
}
