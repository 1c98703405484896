package org.grapevine.node.core;

/** A sync message for the peer on stream {@code sync}, without its length prefix. */
// The message is handed from the core to its driver once and written; nobody compares or keeps it.
@SuppressWarnings("ArrayRecordComponent")
public record SyncBytes(long sync, byte[] message) {}
