package org.grapevine.node.core;

/** A sync message for the peer on stream {@code sync}, without its length prefix. */
public record SyncBytes(long sync, byte[] message) {}
