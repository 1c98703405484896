/**
 * ChaCha20-Poly1305 (RFC 8439) in pure Java for the Noise transport: {@link
 * org.grapevine.libp2p.noise.crypto.ChaCha20Poly1305} is the AEAD; {@code ChaCha20} and {@code
 * Poly1305} are its package-private halves, written from the RFC text.
 *
 * <p>Why not the JDK: JDK 17's {@code Cipher.getInstance("ChaCha20-Poly1305")} has no intrinsics
 * (they arrive in JDK 21) and is the bottleneck of encrypted libp2p streams on Java 17.
 */
package org.grapevine.libp2p.noise.crypto;
