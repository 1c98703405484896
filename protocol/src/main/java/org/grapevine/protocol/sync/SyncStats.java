package org.grapevine.protocol.sync;

/**
 * Counters of one session, for logs and metrics. Bytes are encoded envelope bytes.
 *
 * @param rangesRequested ranges this side asked for
 * @param rangesServed ranges the peer asked for and this side answered
 */
public record SyncStats(
    long rangesRequested,
    long entriesReceived,
    long batchesReceived,
    long bytesReceived,
    long rangesServed,
    long entriesSent,
    long batchesSent,
    long bytesSent) {}
