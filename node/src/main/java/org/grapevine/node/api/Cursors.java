package org.grapevine.node.api;

import java.nio.ByteBuffer;
import java.util.Base64;
import org.grapevine.node.storage.TimelineCursor;
import org.grapevine.protocol.entry.EntryId;

/**
 * Opaque page cursors: base64url (no padding) of timestamp (8, big-endian) ‖ entry id (32), the
 * (timestamp, id) position of a page's last entry. Opaque to clients so the layout may change.
 */
final class Cursors {
  private static final int BYTES = 8 + 32;

  private Cursors() {}

  static String encode(TimelineCursor c) {
    ByteBuffer b =
        ByteBuffer.allocate(BYTES).putLong(c.timestampMillis()).put(c.id().unsafeBytes());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  /**
   * @throws ApiError bad_request for anything this class did not write
   */
  static TimelineCursor decode(String text) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      raw = null;
    }
    if (raw == null || raw.length != BYTES) {
      throw ApiError.badRequest(
          "'before' is not a cursor of this API; pass the 'next' value of a previous page");
    }
    ByteBuffer b = ByteBuffer.wrap(raw);
    long timestamp = b.getLong();
    byte[] id = new byte[32];
    b.get(id);
    return new TimelineCursor(timestamp, EntryId.of(id));
  }
}
