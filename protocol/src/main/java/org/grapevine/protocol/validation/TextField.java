package org.grapevine.protocol.validation;

import org.grapevine.protocol.Limits;

/**
 * A text field a writer fills in, with its UTF-8 limit ({@link Limits}) and whether a writer may
 * leave it empty. Checked by {@link ContentRules#checkText} for the node's API and the cli alike.
 */
public enum TextField {
  /**
   * A post's or reply's text: never blank (a reader accepts an empty one; writers do not write it).
   */
  POST_TEXT(Limits.MAX_POST_TEXT_BYTES, false),
  /**
   * A post's content warning: never blank when given (a post without one leaves the field unset).
   */
  CONTENT_WARNING(Limits.MAX_CONTENT_WARNING_BYTES, false),
  /** A reaction's emoji: never blank (readers refuse an empty one too). */
  EMOJI(Limits.MAX_EMOJI_BYTES, false),
  /** A profile's name: empty clears it. */
  PROFILE_NAME(Limits.MAX_PROFILE_NAME_BYTES, true),
  /** A profile's bio: empty clears it. */
  PROFILE_BIO(Limits.MAX_PROFILE_BIO_BYTES, true);

  private final int maxBytes;
  private final boolean mayBeEmpty;

  TextField(int maxBytes, boolean mayBeEmpty) {
    this.maxBytes = maxBytes;
    this.mayBeEmpty = mayBeEmpty;
  }

  /** At most this many bytes of UTF-8. */
  public int maxBytes() {
    return maxBytes;
  }

  /** True if a writer may leave it empty or white space only. */
  public boolean mayBeEmpty() {
    return mayBeEmpty;
  }
}
