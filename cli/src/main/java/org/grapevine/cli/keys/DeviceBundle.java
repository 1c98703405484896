package org.grapevine.cli.keys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;
import org.grapevine.protocol.keys.KeyFile;

/**
 * What {@code grapevine device add} writes for the other machine and {@code grapevine device
 * import} reads: the new device's key file and the identity's root log up to the entry that
 * delegates it, so the other machine can post at once, offline, without the root key. Text, one
 * field a line (base64 for bytes), so a person can see what it is:
 *
 * <pre>
 *   grapevine-device-bundle 1
 *   identity gv1...                    the identity the device writes for
 *   device   &lt;64 hex&gt;                   the device's public key
 *   key      &lt;base64 key file&gt;          a KeyFile (role device), sealed if add had a passphrase
 *   root     &lt;base64 envelope&gt;          root-log entries 1..n in seq order, each an Envelope with content
 * </pre>
 *
 * Decoding is bounded ({@link #MAX_BYTES}, {@link #MAX_ROOT_ENTRIES}) and only parses: the importer
 * verifies the entries (signatures, chain, delegation) as any received entry.
 */
@SuppressWarnings("ArrayRecordComponent") // decoded once and imported, never compared
record DeviceBundle(Identity identity, AuthorKey device, byte[] keyFile, List<byte[]> rootEntries) {
  static final String MAGIC = "grapevine-device-bundle 1";

  /** A root log is a few hundred bytes per device; a megabyte is thousands of devices. */
  static final int MAX_BYTES = 1 << 20;

  static final int MAX_ROOT_ENTRIES = 4096;

  /** A bundle that cannot be read; the message says what is wrong with it. */
  static final class FormatException extends Exception {
    FormatException(String message) {
      super(message);
    }
  }

  DeviceBundle {
    rootEntries = List.copyOf(rootEntries);
  }

  byte[] encode() {
    Base64.Encoder b64 = Base64.getEncoder();
    StringBuilder sb =
        new StringBuilder(MAGIC)
            .append('\n')
            .append("identity ")
            .append(identity)
            .append('\n')
            .append("device ")
            .append(device.toHex())
            .append('\n')
            .append("key ")
            .append(b64.encodeToString(keyFile))
            .append('\n');
    for (byte[] e : rootEntries) {
      sb.append("root ").append(b64.encodeToString(e)).append('\n');
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static DeviceBundle decode(byte[] bytes) throws FormatException {
    if (bytes.length > MAX_BYTES) {
      throw new FormatException("it is larger than any device bundle (" + MAX_BYTES + " bytes)");
    }
    String[] lines = new String(bytes, StandardCharsets.US_ASCII).split("\n", -1);
    if (!lines[0].strip().equals(MAGIC)) {
      throw new FormatException(
          "it does not start with '"
              + MAGIC
              + "' (is it a file from `grapevine device add --out`?)");
    }
    Identity identity = null;
    AuthorKey device = null;
    byte[] key = null;
    List<byte[]> root = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      int space = line.indexOf(' ');
      String field = space < 0 ? line : line.substring(0, space);
      String value = space < 0 ? "" : line.substring(space + 1).strip();
      String where = "line " + (i + 1) + " (" + field + "): ";
      switch (field) {
        case "identity" -> {
          try {
            identity = Identity.parse(value);
          } catch (IdentityFormatException e) {
            throw new FormatException(where + e.getMessage());
          }
        }
        case "device" -> {
          if (!value.matches("[0-9a-fA-F]{64}")) {
            throw new FormatException(where + "a device key is 64 hex digits");
          }
          device = AuthorKey.of(java.util.HexFormat.of().parseHex(value.toLowerCase(Locale.ROOT)));
        }
        case "key" -> {
          key = base64(value, where);
          if (key.length > KeyFile.MAX_FILE_BYTES) {
            throw new FormatException(where + "larger than any key file");
          }
        }
        case "root" -> {
          if (root.size() == MAX_ROOT_ENTRIES) {
            throw new FormatException(
                where + "more than " + MAX_ROOT_ENTRIES + " root-log entries");
          }
          root.add(base64(value, where));
        }
        default -> throw new FormatException(where + "unknown field");
      }
    }
    if (identity == null || device == null || key == null || root.isEmpty()) {
      throw new FormatException(
          "it lacks "
              + (identity == null
                  ? "the identity"
                  : device == null
                      ? "the device key"
                      : key == null ? "the key file" : "the root log"));
    }
    return new DeviceBundle(identity, device, key, root);
  }

  private static byte[] base64(String value, String where) throws FormatException {
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + "not base64: " + e.getMessage());
    }
  }
}
