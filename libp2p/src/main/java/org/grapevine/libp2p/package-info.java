/**
 * The libp2p wire protocols on Netty, written from the libp2p specs: multiaddr, peer IDs, TCP,
 * private networks ({@code pnet}), multistream-select, Noise, Yamux, identify, ping, mDNS and
 * GossipSub v1.1 with v1.2 IDONTWANT; {@code host} puts them together. Each protocol's logic is a
 * sans-I/O core in its package, with a thin Netty adapter in {@code <package>.netty}. Knows nothing
 * social: topics are strings, messages are bytes (docs/ARCHITECTURE.md, "Modules").
 */
package org.grapevine.libp2p;
