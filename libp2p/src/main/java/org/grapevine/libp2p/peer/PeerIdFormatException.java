package org.grapevine.libp2p.peer;

import java.util.Objects;
import org.grapevine.libp2p.FrameError;

/**
 * Text that is not a peer ID ({@link PeerId#parse}): the input of whoever gave the text (a config
 * file, a command line, a stored peer table), never a remote peer's fault, so unlike {@link
 * org.grapevine.libp2p.MalformedFrameException} it is unchecked. Callers branch on {@link #code}.
 */
public final class PeerIdFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final FrameError code;

  public PeerIdFormatException(FrameError code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code);
  }

  /** What is wrong with the text. */
  public FrameError code() {
    return code;
  }
}
