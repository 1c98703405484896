package org.grapevine.libp2p.mdns;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A domain name as its labels ({@code _p2p._udp.local} = [_p2p, _udp, local]); the root is the
 * empty list. Labels are UTF-8 (RFC 6762 §16), compared case-insensitively (RFC 1035 §2.3.3).
 * Keeping labels apart, not a dotted string, means a label that contains a dot (allowed in DNS-SD
 * instance names) cannot be confused with two labels.
 *
 * <p>Limits (RFC 1035 §2.3.4): at most {@value #MAX_LABEL_BYTES} bytes per label and {@value
 * #MAX_WIRE_BYTES} bytes in wire form (length bytes and the final zero included).
 */
public record DnsName(List<String> labels) {
  public static final int MAX_LABEL_BYTES = 63;
  public static final int MAX_WIRE_BYTES = 255;

  /**
   * @throws IllegalArgumentException for an empty or oversized label, or an oversized name (a
   *     caller bug)
   */
  public DnsName {
    labels = List.copyOf(labels);
    int wire = 1;
    for (String label : labels) {
      int n = label.getBytes(StandardCharsets.UTF_8).length;
      if (n == 0 || n > MAX_LABEL_BYTES) {
        throw new IllegalArgumentException(
            "DNS label of "
                + n
                + " bytes (1 to "
                + MAX_LABEL_BYTES
                + " allowed): \""
                + label
                + "\"");
      }
      wire += 1 + n;
    }
    if (wire > MAX_WIRE_BYTES) {
      throw new IllegalArgumentException(
          "DNS name of " + wire + " bytes exceeds " + MAX_WIRE_BYTES);
    }
  }

  /**
   * Splits a dotted name ({@code "_p2p._udp.local"}, a trailing dot tolerated); {@code ""} is the
   * root.
   */
  public static DnsName of(String dotted) {
    String s = dotted.endsWith(".") ? dotted.substring(0, dotted.length() - 1) : dotted;
    return new DnsName(s.isEmpty() ? List.of() : List.of(s.split("\\.", -1)));
  }

  /** {@code label.this}. */
  public DnsName prepend(String label) {
    List<String> out = new ArrayList<>(labels.size() + 1);
    out.add(label);
    out.addAll(labels);
    return new DnsName(out);
  }

  /** This name without its first label; the root's parent is the root. */
  public DnsName parent() {
    return labels.isEmpty() ? this : new DnsName(labels.subList(1, labels.size()));
  }

  /** The first label, or {@code ""} for the root. */
  public String first() {
    return labels.isEmpty() ? "" : labels.get(0);
  }

  /** Equality as DNS sees it: same labels, ignoring case. */
  public boolean sameAs(DnsName other) {
    if (labels.size() != other.labels.size()) {
      return false;
    }
    for (int i = 0; i < labels.size(); i++) {
      if (!labels.get(i).equalsIgnoreCase(other.labels.get(i))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return String.join(".", labels);
  }
}
