package org.grapevine.libp2p.noise;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.random.RandomGenerator;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.peer.PeerId;

/**
 * One libp2p Noise handshake ({@code /noise}, libp2p/specs noise/README.md): XX with
 * Noise_XX_25519_ChaChaPoly_SHA256, an empty prologue, and the signed libp2p payload in messages 2
 * and 3. Sans-I/O in the h11 style: no sockets, threads, clocks or logging. Not thread-safe.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Feed whole handshake messages (frame bodies, without the u16 length; see {@link
 *       NoiseFrameCodec}) to {@link #handleMessage}. After construction and after every input,
 *       drain {@link #pollOutbound} and send each message framed, in order; then re-arm the timer
 *       from {@link #pollTimeout} and check {@link #session}.
 *   <li>The initiator's message 1 is ready to poll right after construction.
 *   <li>{@link #session} becomes present exactly once the handshake is complete: for the initiator
 *       after it has read message 2 (message 3 is then waiting in {@link #pollOutbound}), for the
 *       responder after it has read message 3. Every later frame is a transport frame for {@link
 *       NoiseSession}.
 *   <li>A {@link NoiseException} is fatal: close the connection. Further inputs are our bug.
 * </ol>
 *
 * <p>The remote's payload is verified in the spec's order: identity key present and decodable,
 * signature over {@code "noise-libp2p-static-key:" || rs}, then the derived peer ID against the
 * expected one. Its muxer list is used only after all three checks pass.
 *
 * <p>Early muxer negotiation (connections/inlined-muxer-negotiation.md) follows the safe rule of
 * libp2p-notes 7.6, option (b): we send our list if it is non-empty, and use the inline result only
 * if both lists are non-empty; the result is the first entry of the initiator's list that the
 * responder also lists, and no common entry fails the handshake. With an empty list of our own we
 * never look at the remote's, because js-libp2p skips multistream whenever the other side sent a
 * list, and reading a list we did not answer would desynchronise the two sides.
 *
 * <p>Discrepancies: message 1 must carry an empty payload (the spec says the initiator must not
 * send one; we reject a non-empty one as BAD_LENGTH). The static X25519 key is drawn per handshake
 * from the injected randomness, which the spec allows.
 */
public final class NoiseHandshake {
  public static final String PROTOCOL_ID = "/noise";
  private static final byte[] EMPTY = new byte[0];

  private final NoiseRole role;
  private final PrivKey identity;
  private final Optional<PeerId> expectedRemote;
  private final NoiseConfig config;
  private final NoiseKeyPair staticKey;
  private final NoiseHandshakeState noise;
  private final long deadlineNanos;
  private final ArrayDeque<byte[]> outbound = new ArrayDeque<>();
  private NoiseSession session;
  private boolean failed;

  /**
   * @param identity our libp2p identity key; it signs our static Noise key
   * @param expectedRemote the peer we dialed (the /p2p/ part of the address), if known
   * @param random source of the static and ephemeral X25519 keys: a SecureRandom in production
   * @param nowNanos the current time, on the clock later inputs use
   */
  public NoiseHandshake(
      NoiseRole role,
      PrivKey identity,
      Optional<PeerId> expectedRemote,
      NoiseConfig config,
      RandomGenerator random,
      long nowNanos) {
    this.role = role;
    this.identity = identity;
    this.expectedRemote = expectedRemote;
    this.config = config;
    this.staticKey = NoiseKeyPair.generate(random);
    this.noise = new NoiseHandshakeState(role, EMPTY, staticKey, NoiseKeyPair.generate(random));
    this.deadlineNanos = nowNanos + config.handshakeTimeoutNanos();
    if (role == NoiseRole.INITIATOR) {
      outbound.add(writeFirstMessage());
    }
  }

  public NoiseRole role() {
    return role;
  }

  /**
   * Processes one handshake message from the remote.
   *
   * @throws NoiseException if the message or payload is bad, the remote is not the expected peer,
   *     the muxer lists do not meet, or the deadline has passed
   */
  public void handleMessage(byte[] message, long nowNanos) throws NoiseException {
    if (failed || session != null) {
      throw new IllegalStateException(
          "handshake already " + (failed ? "failed" : "complete") + "; route frames elsewhere");
    }
    try {
      checkDeadline(nowNanos);
      byte[] payload = noise.readMessage(message);
      if (role == NoiseRole.RESPONDER && !noise.isComplete()) {
        onFirstMessage(payload);
      } else {
        onRemotePayload(payload);
      }
    } catch (NoiseException e) {
      failed = true;
      throw e;
    }
  }

  /**
   * Fails the handshake if its deadline has passed; a no-op before, and after completion.
   *
   * @throws NoiseException {@link NoiseErrorCode#TIMEOUT}
   */
  public void handleTimeout(long nowNanos) throws NoiseException {
    if (failed || session != null) {
      return;
    }
    try {
      checkDeadline(nowNanos);
    } catch (NoiseException e) {
      failed = true;
      throw e;
    }
  }

  /** The next message to send (unframed), if any. */
  public Optional<byte[]> pollOutbound() {
    return Optional.ofNullable(outbound.poll());
  }

  /** The handshake deadline while it runs; empty once complete or failed. */
  public OptionalLong pollTimeout() {
    return failed || session != null ? OptionalLong.empty() : OptionalLong.of(deadlineNanos);
  }

  /** Present once the handshake is complete. */
  public Optional<NoiseSession> session() {
    return Optional.ofNullable(session);
  }

  public boolean isComplete() {
    return session != null;
  }

  private byte[] writeFirstMessage() {
    try {
      return noise.writeMessage(EMPTY);
    } catch (NoiseException e) {
      throw new IllegalStateException("message 1 has no DH that could fail", e);
    }
  }

  /** Responder: message 1 read; answer with message 2, which carries our payload. */
  private void onFirstMessage(byte[] payload) throws NoiseException {
    if (payload.length != 0) {
      throw new NoiseException(
          NoiseErrorCode.BAD_LENGTH,
          "remote sent message 1 with a "
              + payload.length
              + "-byte payload; it must be exactly 32 bytes");
    }
    outbound.add(noise.writeMessage(ourPayload()));
  }

  /** Initiator after message 2, responder after message 3: verify, agree on a muxer, finish. */
  private void onRemotePayload(byte[] payloadBytes) throws NoiseException {
    byte[] remoteStatic = noise.remoteStatic();
    NoisePayload payload = NoisePayload.decodeAndVerify(payloadBytes, remoteStatic);
    if (expectedRemote.isPresent()) {
      PeerId actual = PeerId.fromPubKey(payload.identityKey());
      if (!actual.equals(expectedRemote.get())) {
        throw new NoiseException(
            NoiseErrorCode.PEER_ID_MISMATCH,
            "remote is " + actual + " but we expected " + expectedRemote.get());
      }
    }
    Optional<String> muxer = selectMuxer(payload.muxers());
    if (role == NoiseRole.INITIATOR) {
      outbound.add(noise.writeMessage(ourPayload()));
    }
    session =
        new NoiseSession(
            noise.sendCipher(),
            noise.receiveCipher(),
            payload.identityKey(),
            muxer,
            noise.handshakeHash());
  }

  private byte[] ourPayload() {
    return NoisePayload.encode(identity, staticKey.publicKey(), config.muxers());
  }

  private Optional<String> selectMuxer(List<String> remoteMuxers) throws NoiseException {
    List<String> ours = config.muxers();
    if (ours.isEmpty() || remoteMuxers.isEmpty()) {
      return Optional.empty();
    }
    List<String> initiatorList = role == NoiseRole.INITIATOR ? ours : remoteMuxers;
    List<String> responderList = role == NoiseRole.INITIATOR ? remoteMuxers : ours;
    for (String muxer : initiatorList) {
      if (responderList.contains(muxer)) {
        return Optional.of(muxer);
      }
    }
    throw new NoiseException(
        NoiseErrorCode.MUXER_MISMATCH,
        "remote offers muxers " + remoteMuxers + " and we offer " + ours + ": nothing in common");
  }

  private void checkDeadline(long nowNanos) throws NoiseException {
    if (nowNanos - deadlineNanos >= 0) {
      throw new NoiseException(
          NoiseErrorCode.TIMEOUT,
          "remote did not complete the handshake within "
              + config.handshakeTimeoutNanos() / 1_000_000
              + " ms");
    }
  }
}
