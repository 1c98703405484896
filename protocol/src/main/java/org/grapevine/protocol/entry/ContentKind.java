package org.grapevine.protocol.entry;

import org.grapevine.protocol.proto.Content;

/**
 * What an entry's content is. The number is the Entry.kind value on the wire and the field number
 * of the body in Content; numbers this version does not know map to {@link #UNKNOWN}, and such
 * entries are kept and forwarded unchanged.
 */
public enum ContentKind {
  UNKNOWN(-1, false),
  POST(1, false),
  REACTION(2, false),
  REPOST(3, false),
  FOLLOW(4, false),
  UNFOLLOW(5, false),
  PROFILE(6, false),
  DELETE(7, false),
  DELEGATE_DEVICE(8, true),
  REVOKE_DEVICE(9, true),
  FEED(10, false),
  FEED_USE(11, false);

  private static final ContentKind[] BY_NUMBER = new ContentKind[12];

  static {
    for (ContentKind k : values()) {
      if (k.number > 0) {
        BY_NUMBER[k.number] = k;
      }
    }
  }

  private final int number;
  private final boolean rootLogOnly;

  ContentKind(int number, boolean rootLogOnly) {
    this.number = number;
    this.rootLogOnly = rootLogOnly;
  }

  /** The wire number; -1 for {@link #UNKNOWN}, whose actual number travels separately. */
  public int number() {
    return number;
  }

  /** Whether the kind belongs in an identity's root log (and only there). */
  public boolean rootLogOnly() {
    return rootLogOnly;
  }

  /** The kind of a wire number; {@link #UNKNOWN} for numbers this version does not know. */
  public static ContentKind ofNumber(int number) {
    return number > 0 && number < BY_NUMBER.length && BY_NUMBER[number] != null
        ? BY_NUMBER[number]
        : UNKNOWN;
  }

  /** The kind of a content message, by which body it carries. */
  public static ContentKind of(Content content) {
    return content.getBodyCase() == Content.BodyCase.BODY_NOT_SET
        ? UNKNOWN
        : ofNumber(content.getBodyCase().getNumber());
  }
}
