package org.grapevine.libp2p.bitswap;

import java.util.Objects;

/** Bytes a peer sent that we refuse; {@link #code} says what is wrong with them. */
public final class BitswapException extends Exception {
  private static final long serialVersionUID = 1L;

  private final BitswapError code;

  public BitswapException(BitswapError code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public BitswapException(BitswapError code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public BitswapError code() {
    return code;
  }
}
