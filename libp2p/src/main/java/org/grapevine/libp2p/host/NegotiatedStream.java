package org.grapevine.libp2p.host;

import org.grapevine.libp2p.mux.MuxedStream;

/** An outbound stream after multistream-select: the protocol the peer accepted, and the stream. */
public record NegotiatedStream(MuxedStream stream, String protocol, Connection connection) {}
