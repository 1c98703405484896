package org.grapevine.libp2p.noise;

import java.util.Arrays;

/**
 * The Noise HandshakeState (Noise spec rev 34, section 5.3) for exactly one pattern, XX, with
 * 25519, ChaChaPoly and SHA-256. Knows nothing of libp2p: payloads are opaque bytes, and the
 * prologue is a parameter (libp2p uses an empty one; the cacophony test vectors do not).
 *
 * <pre>
 * XX:
 *   -&gt; e                 msg 0: e.pub (32) || EncryptAndHash(payload), unencrypted as no key exists yet
 *   &lt;- e, ee, s, es      msg 1: e.pub (32) || Enc(s.pub) (48) || Enc(payload) (len + 16)
 *   -&gt; s, se             msg 2: Enc(s.pub) (48) || Enc(payload) (len + 16)
 * </pre>
 *
 * <p>Call order: the initiator calls {@link #writeMessage}, {@link #readMessage}, {@link
 * #writeMessage}; the responder the mirror image. After the third message {@link #isComplete()}
 * holds and {@link #sendCipher()}/{@link #receiveCipher()} are the transport states from Split.
 * Calling out of turn is our bug ({@link IllegalStateException}); bad bytes from the remote give a
 * {@link NoiseException}, after which the state is unusable.
 *
 * <p>Both key pairs are supplied up front so that tests can fix them; the ephemeral key must be
 * fresh for every handshake.
 */
final class NoiseHandshakeState {
  static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
  static final int MAX_MESSAGE_BYTES = 65535;
  private static final int DH_BYTES = NoiseKeyPair.KEY_BYTES;
  private static final int ENCRYPTED_KEY_BYTES = DH_BYTES + NoiseCipherState.TAG_BYTES;
  private static final int MESSAGES = 3;

  private final NoiseRole role;
  private final NoiseSymmetricState symmetric;
  private final NoiseKeyPair s;
  private final NoiseKeyPair e;
  private byte[] re;
  private byte[] rs;
  private int messageIndex;
  private boolean failed;
  private NoiseCipherState send;
  private NoiseCipherState receive;

  NoiseHandshakeState(
      NoiseRole role, byte[] prologue, NoiseKeyPair staticKey, NoiseKeyPair ephemeralKey) {
    this.role = role;
    this.s = staticKey;
    this.e = ephemeralKey;
    this.symmetric = new NoiseSymmetricState(PROTOCOL_NAME);
    symmetric.mixHash(prologue); // Runs for the empty prologue too: h = SHA256(h).
  }

  /** Whether the next message is ours to write (otherwise we wait to read one). */
  boolean isOurTurn() {
    return !isComplete() && (messageIndex % 2 == 0) == (role == NoiseRole.INITIATOR);
  }

  boolean isComplete() {
    return messageIndex == MESSAGES;
  }

  /**
   * Writes our next message carrying {@code payload}.
   *
   * @throws NoiseException {@link NoiseErrorCode#BAD_KEY} if the remote's ephemeral key from the
   *     previous message turns out to be a low-order point
   */
  byte[] writeMessage(byte[] payload) throws NoiseException {
    if (failed || !isOurTurn()) {
      throw new IllegalStateException(
          "not our turn to write (message "
              + messageIndex
              + ", "
              + role
              + (failed ? ", failed" : "")
              + ")");
    }
    int overhead =
        switch (messageIndex) {
          case 0 -> DH_BYTES; // No key yet, so the payload travels without a tag.
          case 1 -> DH_BYTES + ENCRYPTED_KEY_BYTES + NoiseCipherState.TAG_BYTES;
          default -> ENCRYPTED_KEY_BYTES + NoiseCipherState.TAG_BYTES;
        };
    if (payload.length > MAX_MESSAGE_BYTES - overhead) {
      throw new IllegalArgumentException(
          "a " + payload.length + "-byte payload does not fit a 65535-byte handshake message");
    }
    try {
      byte[] out = writeTokens();
      out = concat(out, symmetric.encryptAndHash(payload));
      advance();
      return out;
    } catch (NoiseException ex) {
      failed = true;
      throw ex;
    }
  }

  private byte[] writeTokens() throws NoiseException {
    switch (messageIndex) {
      case 0 -> {
        symmetric.mixHash(e.publicKey()); // e
        return e.publicKey();
      }
      case 1 -> {
        symmetric.mixHash(e.publicKey()); // e
        symmetric.mixKey(e.dh(re)); // ee
        byte[] encryptedStatic = symmetric.encryptAndHash(s.publicKey()); // s
        symmetric.mixKey(s.dh(re)); // es, responder side
        return concat(e.publicKey(), encryptedStatic);
      }
      default -> {
        byte[] encryptedStatic = symmetric.encryptAndHash(s.publicKey()); // s
        symmetric.mixKey(s.dh(re)); // se, initiator side
        return encryptedStatic;
      }
    }
  }

  /** Processes the remote's next message and returns its decrypted payload. */
  byte[] readMessage(byte[] message) throws NoiseException {
    if (failed || isComplete() || isOurTurn()) {
      throw new IllegalStateException(
          "not our turn to read (message "
              + messageIndex
              + ", "
              + role
              + (failed ? ", failed" : "")
              + ")");
    }
    try {
      byte[] payload = readTokens(message);
      advance();
      return payload;
    } catch (NoiseException ex) {
      failed = true;
      throw ex;
    }
  }

  private byte[] readTokens(byte[] m) throws NoiseException {
    int minimum =
        switch (messageIndex) {
          case 0 -> DH_BYTES;
          case 1 -> DH_BYTES + ENCRYPTED_KEY_BYTES + NoiseCipherState.TAG_BYTES;
          default -> ENCRYPTED_KEY_BYTES + NoiseCipherState.TAG_BYTES;
        };
    if (m.length < minimum || m.length > MAX_MESSAGE_BYTES) {
      throw new NoiseException(
          NoiseErrorCode.BAD_LENGTH,
          "remote sent handshake message "
              + (messageIndex + 1)
              + " of "
              + m.length
              + " bytes, expected at least "
              + minimum);
    }
    int at = 0;
    if (messageIndex < 2) { // e
      re = Arrays.copyOfRange(m, 0, DH_BYTES);
      symmetric.mixHash(re);
      at = DH_BYTES;
    }
    if (messageIndex == 1) {
      symmetric.mixKey(e.dh(re)); // ee
      rs = symmetric.decryptAndHash(m, at, ENCRYPTED_KEY_BYTES); // s
      at += ENCRYPTED_KEY_BYTES;
      symmetric.mixKey(e.dh(rs)); // es, initiator side
    } else if (messageIndex == 2) {
      rs = symmetric.decryptAndHash(m, at, ENCRYPTED_KEY_BYTES); // s
      at += ENCRYPTED_KEY_BYTES;
      symmetric.mixKey(e.dh(rs)); // se, responder side
    }
    return symmetric.decryptAndHash(m, at, m.length - at);
  }

  private void advance() {
    messageIndex++;
    if (isComplete()) {
      NoiseCipherState[] split = symmetric.split();
      send = role == NoiseRole.INITIATOR ? split[0] : split[1];
      receive = role == NoiseRole.INITIATOR ? split[1] : split[0];
    }
  }

  /**
   * The remote's static X25519 key, once received (after message 2 for the initiator, 3 for the
   * responder).
   */
  byte[] remoteStatic() {
    if (rs == null) {
      throw new IllegalStateException("the remote static key has not been received yet");
    }
    return rs.clone();
  }

  NoiseCipherState sendCipher() {
    checkComplete();
    return send;
  }

  NoiseCipherState receiveCipher() {
    checkComplete();
    return receive;
  }

  /** The final handshake hash h (channel binding; equal on both sides). */
  byte[] handshakeHash() {
    checkComplete();
    return symmetric.handshakeHash();
  }

  private void checkComplete() {
    if (!isComplete()) {
      throw new IllegalStateException("handshake not complete");
    }
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, out, at, part.length);
      at += part.length;
    }
    return out;
  }
}
