package org.grapevine.libp2p.dcutr;

import io.netty.buffer.PooledByteBufAllocator;
import java.time.Duration;
import java.util.List;
import org.grapevine.libp2p.dcutr.netty.DcutrResult;
import org.grapevine.libp2p.dcutr.netty.DcutrService;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.testing.LabChild;

/** What the DCUtR children of the NAT lab share ({@link DcutrPeerMain}, {@link RelayLabMain}). */
final class DcutrLab {
  private DcutrLab() {}

  /** DCUtR on {@code host}, offering {@code own} as the observed address; not started. */
  static DcutrService service(Host host, Multiaddr own) {
    return new DcutrService(
        host,
        () -> List.of(own),
        DcutrService::publicTcp,
        Duration.ofSeconds(5),
        PooledByteBufAllocator.DEFAULT);
  }

  /** {@code <outcome> <attempts> <direct remote addr or -> <ms since sinceNanos> (<detail>)}. */
  static String describe(DcutrResult r, long sinceNanos) {
    return r.outcome()
        + " "
        + r.attempts()
        + " "
        + r.direct().map(c -> c.remoteAddr().toString()).orElse("-")
        + " "
        + LabChild.ms(sinceNanos)
        + " ("
        + r.detail()
        + ")";
  }
}
