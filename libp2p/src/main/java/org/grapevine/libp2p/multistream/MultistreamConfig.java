package org.grapevine.libp2p.multistream;

/**
 * Responder options for {@link MultistreamNegotiator}.
 *
 * @param eagerHeader send our header from {@code start()} instead of in reply to the initiator's
 *     (go does the former, js the latter; initiators must accept both)
 * @param maxRejectedProposals how many proposals we answer with {@code na} before giving up, so a
 *     peer cannot keep a stream busy forever with guesses
 */
public record MultistreamConfig(boolean eagerHeader, int maxRejectedProposals) {
  public static final MultistreamConfig DEFAULT = new MultistreamConfig(false, 32);

  public MultistreamConfig {
    if (maxRejectedProposals < 0) {
      throw new IllegalArgumentException(
          "maxRejectedProposals must be >= 0, got " + maxRejectedProposals);
    }
  }

  public MultistreamConfig withEagerHeader(boolean eager) {
    return new MultistreamConfig(eager, maxRejectedProposals);
  }
}
