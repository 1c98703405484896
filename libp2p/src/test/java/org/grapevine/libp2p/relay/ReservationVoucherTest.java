package org.grapevine.libp2p.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.relay.RelayTestKeys.A;
import static org.grapevine.libp2p.relay.RelayTestKeys.A_KEY;
import static org.grapevine.libp2p.relay.RelayTestKeys.B;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY;
import static org.grapevine.libp2p.relay.RelayTestKeys.RELAY_KEY;

import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.record.SignedEnvelope;
import org.junit.jupiter.api.Test;

class ReservationVoucherTest {
  private static final long EXPIRE = 1_800_000_000L;

  @Test
  void seal_thenOpen_roundTrips() throws Exception {
    byte[] sealed = new ReservationVoucher(RELAY, A, EXPIRE).seal(RELAY_KEY);
    assertThat(ReservationVoucher.open(sealed, RELAY, A, EXPIRE))
        .isEqualTo(new ReservationVoucher(RELAY, A, EXPIRE));
  }

  @Test
  void seal_byAnotherKey_refusedAtOnce() {
    assertThatThrownBy(() -> new ReservationVoucher(RELAY, A, EXPIRE).seal(A_KEY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void open_signedByAnotherPeer_wrongIdentity() {
    // A signs a voucher naming itself as relay: well signed, but not by the relay we asked.
    byte[] sealed = new ReservationVoucher(A, A, EXPIRE).seal(A_KEY);
    assertCode(() -> ReservationVoucher.open(sealed, RELAY, A, EXPIRE), FrameError.WRONG_IDENTITY);
  }

  @Test
  void open_forAnotherPeer_wrongIdentity() {
    byte[] sealed = new ReservationVoucher(RELAY, B, EXPIRE).seal(RELAY_KEY);
    assertCode(() -> ReservationVoucher.open(sealed, RELAY, A, EXPIRE), FrameError.WRONG_IDENTITY);
  }

  @Test
  void open_otherExpiration_protocolViolation() {
    byte[] sealed = new ReservationVoucher(RELAY, A, EXPIRE).seal(RELAY_KEY);
    assertCode(
        () -> ReservationVoucher.open(sealed, RELAY, A, EXPIRE + 1), FrameError.PROTOCOL_VIOLATION);
  }

  @Test
  void open_peerRecordDomain_badSignature() {
    byte[] sealed =
        SignedEnvelope.seal(RELAY_KEY, "libp2p-peer-record", new byte[] {0x03, 0x02}, new byte[0]);
    assertCode(() -> ReservationVoucher.open(sealed, RELAY, A, EXPIRE), FrameError.BAD_SIGNATURE);
  }

  private interface Open {
    void run() throws MalformedFrameException;
  }

  private static void assertCode(Open o, FrameError code) {
    assertThatThrownBy(o::run)
        .isInstanceOfSatisfying(
            MalformedFrameException.class, e -> assertThat(e.code()).isEqualTo(code));
  }
}
