package org.grapevine.libp2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.libp2p.relay.RelayTestKeys.B;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY;

import org.junit.jupiter.api.Test;

class StopServiceTest {
  private static final RelayLimit LIMIT = new RelayLimit(120, 1 << 17);
  private final StopService stop = new StopService(1);

  @Test
  void handleConnect_fromOurRelay_acceptsWithSourceAndLimit() {
    StopDecision d = stop.handleConnect(RELAY, true, StopMessage.connect(RelayPeer.of(B), LIMIT));

    assertThat(d).isEqualTo(new StopDecision.Accept(B, LIMIT, StopMessage.status(RelayStatus.OK)));
    assertThat(stop.openCircuits()).isEqualTo(1);
  }

  @Test
  void handleConnect_relayWeDidNotReserveOn_permissionDenied() {
    StopDecision d = stop.handleConnect(RELAY, false, StopMessage.connect(RelayPeer.of(B), LIMIT));

    assertThat(d.answer().status()).contains(RelayStatus.PERMISSION_DENIED);
  }

  @Test
  void handleConnect_overCap_resourceLimitExceeded_untilOneCloses() {
    stop.handleConnect(RELAY, true, StopMessage.connect(RelayPeer.of(B), LIMIT));

    assertThat(
            stop.handleConnect(RELAY, true, StopMessage.connect(RelayPeer.of(B), LIMIT))
                .answer()
                .status())
        .contains(RelayStatus.RESOURCE_LIMIT_EXCEEDED);
    stop.handleCircuitClosed();
    assertThat(stop.handleConnect(RELAY, true, StopMessage.connect(RelayPeer.of(B), LIMIT)))
        .isInstanceOf(StopDecision.Accept.class);
  }

  @Test
  void handleConnect_statusAsRequest_unexpected() {
    assertThat(
            stop.handleConnect(RELAY, true, StopMessage.status(RelayStatus.OK)).answer().status())
        .contains(RelayStatus.UNEXPECTED_MESSAGE);
    assertThat(stop.handleMalformed().status()).contains(RelayStatus.MALFORMED_MESSAGE);
  }
}
