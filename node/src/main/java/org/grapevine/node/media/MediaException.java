package org.grapevine.node.media;

import java.util.Objects;

/** Media bytes we refuse; {@link #code} says what is wrong and whose fault it is. */
public final class MediaException extends Exception {
  private static final long serialVersionUID = 1L;

  private final MediaError code;

  public MediaException(MediaError code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public MediaException(MediaError code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public MediaError code() {
    return code;
  }

  @Override
  public String getMessage() {
    return code + ": " + super.getMessage();
  }
}
