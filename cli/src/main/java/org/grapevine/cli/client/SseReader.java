package org.grapevine.cli.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-sent events (WHATWG HTML, "Server-sent events", parsing an event stream) from a byte
 * stream: {@code event:} and {@code data:} fields, comment lines ignored, an empty line ends an
 * event; lines end with LF or CRLF. Lines are bounded: a longer line is an {@link IOException},
 * never unbounded memory.
 */
final class SseReader {
  record Event(String name, String data) {}

  private final InputStream in;
  private final int maxLineBytes;

  SseReader(InputStream in, int maxLineBytes) {
    this.in = in;
    this.maxLineBytes = maxLineBytes;
  }

  /** The next event, or null at the end of the stream. */
  Event next() throws IOException {
    String name = "message";
    StringBuilder data = null;
    for (String line = line(); line != null; line = line()) {
      if (line.isEmpty()) {
        if (data != null) {
          return new Event(name, data.toString());
        }
        name = "message";
        continue;
      }
      if (line.startsWith(":")) {
        continue; // A comment: keep-alive.
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (field.equals("event")) {
        name = value;
      } else if (field.equals("data")) {
        if (data != null && data.length() + value.length() > maxLineBytes) {
          throw new IOException("an event of more than " + maxLineBytes + " bytes");
        }
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return null;
  }

  /** One line without its end (LF or CRLF), or null at the end of the stream. */
  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        return buf.toString(StandardCharsets.UTF_8);
      }
      if (b == '\r') {
        continue; // CRLF ends a line like LF; the node sends LF (a lone CR as a line end is not
        // supported).
      }
      if (buf.size() >= maxLineBytes) {
        throw new IOException("an event stream line longer than " + maxLineBytes + " bytes");
      }
      buf.write(b);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
  }
}
