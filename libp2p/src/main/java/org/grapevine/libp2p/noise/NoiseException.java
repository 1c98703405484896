package org.grapevine.libp2p.noise;

/**
 * A Noise handshake or transport failure caused by the remote peer (or by its silence, for {@link
 * NoiseErrorCode#TIMEOUT}). The connection must be closed; there is no recovery. Our own misuse of
 * the API is reported with {@link IllegalStateException} or {@link IllegalArgumentException}
 * instead.
 */
public final class NoiseException extends Exception {
  private final NoiseErrorCode code;

  public NoiseException(NoiseErrorCode code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public NoiseException(NoiseErrorCode code, String message, Throwable cause) {
    super(code + ": " + message, cause);
    this.code = code;
  }

  public NoiseErrorCode code() {
    return code;
  }
}
