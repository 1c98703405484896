package org.grapevine.libp2p.kad;

import java.util.Objects;

/**
 * A request the {@link Dht} wants sent: open a stream to {@code to} (dial its addresses if not
 * connected), write {@code message}, and, if {@code expectsResponse}, read one answer. Report the
 * outcome with {@link Dht#handleResponse} (for ADD_PROVIDER, which has no answer, once written,
 * with a null message) or {@link Dht#handleFailure}. The Dht times every request out itself, so a
 * driver that loses one costs nothing but a late report, which is ignored and counted.
 */
public record DhtRequest(long id, KadPeer to, KadMessage message, boolean expectsResponse) {
  public DhtRequest {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(message, "message");
  }
}
