package org.grapevine.node.media;

/**
 * A file's type, from its first bytes, never from its name or a type the sender claims: a name is
 * what a user or a peer says, the magic bytes are what a viewer will parse. Anything we do not
 * recognise is {@code application/octet-stream}, kept as it is (a post may attach any file; only
 * images get their metadata stripped, since only they carry camera and location data by default).
 */
public enum MediaType {
  JPEG("image/jpeg"),
  PNG("image/png"),
  GIF("image/gif"),
  WEBP("image/webp"),
  OCTET_STREAM("application/octet-stream");

  private final String mime;

  MediaType(String mime) {
    this.mime = mime;
  }

  /** The attachment's {@code media_type}. */
  public String mime() {
    return mime;
  }

  public static MediaType sniff(byte[] b) {
    if (startsWith(b, 0, 0xff, 0xd8, 0xff)) {
      return JPEG;
    }
    if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a)) {
      return PNG;
    }
    if (startsWith(b, 0, 'G', 'I', 'F', '8', '7', 'a')
        || startsWith(b, 0, 'G', 'I', 'F', '8', '9', 'a')) {
      return GIF;
    }
    if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
      return WEBP;
    }
    return OCTET_STREAM;
  }

  static boolean startsWith(byte[] b, int offset, int... magic) {
    if (b.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((b[offset + i] & 0xff) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
