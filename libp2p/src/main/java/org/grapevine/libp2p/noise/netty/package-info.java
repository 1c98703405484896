/** Netty adapter for the Noise secure channel; all protocol decisions live in {@code noise}. */
package org.grapevine.libp2p.noise.netty;
