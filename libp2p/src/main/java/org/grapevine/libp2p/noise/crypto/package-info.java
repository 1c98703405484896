/**
 * ChaCha20-Poly1305 (RFC 8439) in pure Java for the Noise transport: {@link
 * org.grapevine.libp2p.noise.crypto.ChaCha20Poly1305} is the AEAD; {@code ChaCha20} and {@code
 * Poly1305} are its package-private halves, written from the RFC text.
 *
 * <p>Why not only the JDK: JDK 17's {@code Cipher.getInstance("ChaCha20-Poly1305")} has no
 * intrinsics (HotSpot gained Poly1305 stubs in JDK 19 and ChaCha20 stubs in JDK 20) and runs at a
 * third of ours. Where the JDK's is faster, {@link
 * org.grapevine.libp2p.noise.crypto.AeadImplementation} uses it through {@code
 * JdkChaCha20Poly1305}.
 */
package org.grapevine.libp2p.noise.crypto;
