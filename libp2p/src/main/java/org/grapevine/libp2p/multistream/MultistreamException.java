package org.grapevine.libp2p.multistream;

/** A failed negotiation, as adapters report it to callers (for example through a future). */
public final class MultistreamException extends Exception {
  private final MultistreamErrorCode code;

  public MultistreamException(MultistreamErrorCode code, String detail) {
    super(code + ": " + detail);
    this.code = code;
  }

  public MultistreamErrorCode code() {
    return code;
  }
}
