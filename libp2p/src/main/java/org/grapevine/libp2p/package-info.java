/**
 * The libp2p wire protocols on Netty: multiaddr, peer IDs, TCP, multistream-select, Noise, Yamux,
 * identify, ping, private networks, mDNS and GossipSub. Knows nothing social: topics are strings,
 * messages are bytes. Not yet implemented; see the open libp2p and GossipSub issues.
 */
package org.grapevine.libp2p;
