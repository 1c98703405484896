package org.grapevine.node.core;

/**
 * What became of own addressed messages that found no peer of their addressee topic at once ({@link
 * NodeCore#addressedOutbox}, issue 15).
 *
 * @param held messages that had to wait, ever
 * @param sentLate of those, published once a subscriber of the topic was connected
 * @param expired dropped after waiting too long with no such peer
 * @param droppedFull dropped, oldest first, because too many waited
 * @param waiting waiting now
 */
public record OutboxCounts(long held, long sentLate, long expired, long droppedFull, int waiting) {}
