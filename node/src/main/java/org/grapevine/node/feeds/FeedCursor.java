package org.grapevine.node.feeds;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.grapevine.protocol.entry.EntryId;

/**
 * A page cursor: which feed, which ranking (its time and arrival number) and the last item given
 * (score and id). Opaque to clients (base64url); a cursor that does not decode, or names another
 * feed, is the client's fault.
 */
record FeedCursor(int feedHash, long now, long asOf, double score, EntryId id) {
  private static final byte VERSION = 1;
  private static final int BYTES = 1 + 4 + 8 + 8 + 8 + 32;

  String encode() {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    b.put(VERSION).putInt(feedHash).putLong(now).putLong(asOf).putDouble(score);
    b.put(id.toBytes());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  static FeedCursor decode(String text, int expectedFeedHash) throws FeedException {
    byte[] raw;
    try {
      raw = text.length() > 2 * BYTES ? null : Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      raw = null;
    }
    if (raw == null || raw.length != BYTES || raw[0] != VERSION) {
      throw new FeedException(FeedException.Code.BAD_CURSOR, "not a cursor this node gave");
    }
    ByteBuffer b = ByteBuffer.wrap(raw, 1, BYTES - 1);
    int feed = b.getInt();
    if (feed != expectedFeedHash) {
      throw new FeedException(FeedException.Code.BAD_CURSOR, "the cursor is another feed's");
    }
    long now = b.getLong();
    long asOf = b.getLong();
    double score = b.getDouble();
    byte[] id = new byte[32];
    b.get(id);
    return new FeedCursor(feed, now, asOf, score, EntryId.of(id));
  }
}
