/**
 * The libp2p Noise secure channel ({@code /noise}; libp2p/specs noise/README.md and the Noise
 * Protocol Framework, revision 34): XX handshake with 25519, ChaChaPoly and SHA-256, the signed
 * libp2p payload, early muxer negotiation, and u16-framed transport messages.
 *
 * <p>Sans-I/O: {@link org.grapevine.libp2p.noise.NoiseHandshake} runs the handshake and yields a
 * {@link org.grapevine.libp2p.noise.NoiseSession}; {@link
 * org.grapevine.libp2p.noise.NoiseFrameCodec} does the framing. The Netty adapter lives in {@code
 * noise.netty}.
 */
package org.grapevine.libp2p.noise;
