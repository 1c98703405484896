package org.grapevine.libp2p;

import java.util.Objects;

/**
 * Bytes from a peer that break a wire format: a decoder's one checked failure (cf. Netty's {@code
 * CorruptedFrameException}). The remote peer is at fault; adapters catch it, log it with the peer
 * id, and close the stream or connection. Never thrown for our own mistakes, nor for local files
 * (those have their own exceptions, e.g. the node's {@code KeyFileException}). Callers branch on
 * {@link #code}, never on the message.
 */
public class MalformedFrameException extends Exception {
  private static final long serialVersionUID = 1L;

  private final FrameError code;

  public MalformedFrameException(FrameError code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code);
  }

  public MalformedFrameException(FrameError code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code);
  }

  /** What is wrong with the bytes. */
  public FrameError code() {
    return code;
  }
}
