package org.grapevine.libp2p.kad;

/**
 * What one query cost.
 *
 * @param hops the referral chain to the closest peer that answered ({@link Lookup#hops}); 0 if none
 *     did
 * @param requests requests sent: the lookup's, plus ADD_PROVIDER or PUT_VALUE after it
 * @param failures requests that failed or timed out
 * @param durationNanos from the query's start (not its wait in the queue) to its end
 * @param success FIND_PEER: the peer was found; FIND_CLOSEST and lookups: at least one peer
 *     answered; FIND_PROVIDERS: a provider was found; GET_VALUE: a valid record; PROVIDE and
 *     PUT_VALUE: at least one peer took it
 */
public record QueryStats(
    int hops, long requests, long failures, long durationNanos, boolean success) {}
