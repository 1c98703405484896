package org.grapevine.libp2p.noise;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;

/** Two handshake cores wired back to back (h11's ConnectionPair), with fixed keys and seeds. */
final class HandshakePair {
  static final PrivKey ALICE = key(1);
  static final PrivKey BOB = key(2);
  static final PrivKey CAROL = key(3);
  static final long START_NANOS = 1_000L;

  final NoiseHandshake initiator;
  final NoiseHandshake responder;

  /** Every message delivered, in order, as sent (before any tampering). */
  final List<byte[]> wire = new ArrayList<>();

  HandshakePair(
      NoiseConfig initiatorConfig, NoiseConfig responderConfig, Optional<PeerId> expected) {
    initiator =
        new NoiseHandshake(
            NoiseRole.INITIATOR,
            ALICE,
            expected,
            initiatorConfig,
            new SplittableRandom(11),
            START_NANOS);
    responder =
        new NoiseHandshake(
            NoiseRole.RESPONDER,
            BOB,
            Optional.empty(),
            responderConfig,
            new SplittableRandom(22),
            START_NANOS);
  }

  HandshakePair() {
    this(NoiseConfig.defaults(), NoiseConfig.defaults(), Optional.empty());
  }

  static HandshakePair withMuxers(List<String> initiatorMuxers, List<String> responderMuxers) {
    return new HandshakePair(
        NoiseConfig.builder().muxers(initiatorMuxers).build(),
        NoiseConfig.builder().muxers(responderMuxers).build(),
        Optional.empty());
  }

  void drive() throws NoiseException {
    drive((index, message) -> message);
  }

  /**
   * Delivers messages alternately until both sides are quiet; {@code tamper} may alter message i in
   * flight.
   */
  void drive(BiFunction<Integer, byte[], byte[]> tamper) throws NoiseException {
    boolean progress = true;
    while (progress) {
      boolean first =
          deliver(
              initiator, responder, tamper); // both directions move, whatever the first returned
      progress = deliver(responder, initiator, tamper) || first;
    }
  }

  private boolean deliver(
      NoiseHandshake from, NoiseHandshake to, BiFunction<Integer, byte[], byte[]> tamper)
      throws NoiseException {
    Optional<byte[]> message = from.pollOutbound();
    if (message.isEmpty()) {
      return false;
    }
    wire.add(message.get());
    to.handleMessage(
        tamper.apply(wire.size() - 1, message.get().clone()), START_NANOS + wire.size());
    return true;
  }

  static PrivKey key(int n) {
    byte[] seed = new byte[32];
    seed[0] = (byte) n;
    return PrivKey.fromSeed(seed);
  }
}
