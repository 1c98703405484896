package org.grapevine.libp2p.pnet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The 256-bit pre-shared key of a private network (spec: libp2p/specs
 * pnet/Private-Networks-PSK-V1.md; libp2p-notes §5), as kept in a {@code swarm.key} file:
 *
 * <pre>
 * /key/swarm/psk/1.0.0/
 * /base16/
 * 64 hex digits
 * </pre>
 *
 * Reading also takes the spec's {@code /base64/} and {@code /bin/} encodings, {@code \r\n} line
 * ends and trailing whitespace; writing always uses {@code /base16/} without a final newline,
 * because js-libp2p decodes the third line as base16 whatever the second says.
 *
 * <p>The key is a secret: {@link #toString} and {@link #fingerprint} never reveal it.
 */
public final class SwarmKey {
  public static final int KEY_BYTES = 32;
  static final String CODEC = "/key/swarm/psk/1.0.0/";
  private static final int MAX_FILE_BYTES = 4096;
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] psk;

  private SwarmKey(byte[] psk) {
    this.psk = psk;
  }

  /** A key from its 32 raw bytes. */
  public static SwarmKey of(byte[] psk) {
    if (psk.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          "a swarm key has " + KEY_BYTES + " bytes, got " + psk.length);
    }
    return new SwarmKey(psk.clone());
  }

  public static SwarmKey generate(SecureRandom random) {
    byte[] psk = new byte[KEY_BYTES];
    random.nextBytes(psk);
    return new SwarmKey(psk);
  }

  public static SwarmKey read(Path file) throws IOException, SwarmKeyException {
    if (Files.size(file) > MAX_FILE_BYTES) {
      throw new SwarmKeyException(file + " is too large to be a swarm key file");
    }
    return parse(Files.readAllBytes(file));
  }

  public static SwarmKey parse(String text) throws SwarmKeyException {
    return parse(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Parses a key file's bytes (bytes, not text, because of the {@code /bin/} encoding). */
  public static SwarmKey parse(byte[] file) throws SwarmKeyException {
    int end1 = indexOf(file, (byte) '\n', 0);
    int end2 = end1 < 0 ? -1 : indexOf(file, (byte) '\n', end1 + 1);
    if (end2 < 0) {
      throw new SwarmKeyException(
          "a swarm key file has three lines: " + CODEC + ", the encoding, the key");
    }
    String codec = line(file, 0, end1);
    if (!CODEC.equals(codec)) {
      throw new SwarmKeyException(
          "first line must be " + CODEC + ", got \"" + abbreviate(codec) + "\"");
    }
    String encoding = line(file, end1 + 1, end2);
    byte[] rest = Arrays.copyOfRange(file, end2 + 1, file.length);
    byte[] psk =
        switch (encoding) {
          case "/base16/" -> decodeBase16(text(rest));
          case "/base64/" -> decodeBase64(text(rest));
          case "/bin/" -> rest;
          default ->
              throw new SwarmKeyException(
                  "unknown key encoding \""
                      + abbreviate(encoding)
                      + "\" (expected /base16/, /base64/ or /bin/)");
        };
    if (psk.length != KEY_BYTES) {
      throw new SwarmKeyException(
          "the key has " + psk.length + " bytes, a swarm key has exactly " + KEY_BYTES);
    }
    return new SwarmKey(psk);
  }

  /**
   * The key file in the form js-libp2p and go-libp2p both read: three lines, base16, no final
   * newline.
   */
  public String format() {
    return CODEC + "\n/base16/\n" + HEX.formatHex(psk);
  }

  /** The raw key, for the stream cipher. A copy; keep it out of logs. */
  public byte[] psk() {
    return psk.clone();
  }

  /**
   * A one-way 16-byte fingerprint in hex, safe to log, equal to the one go-libp2p and kubo print
   * ("Swarm key fingerprint"): 64 bytes of Salsa20 keystream under the key with nonce {@code
   * "finprint"}, hashed with SHAKE-128, so the key never goes into the hash directly.
   */
  public String fingerprint() {
    Salsa20Engine salsa = new Salsa20Engine();
    salsa.init(
        true,
        new ParametersWithIV(
            new KeyParameter(psk), "finprint".getBytes(StandardCharsets.US_ASCII)));
    byte[] stream = new byte[64];
    salsa.processBytes(new byte[64], 0, 64, stream, 0);
    SHAKEDigest shake = new SHAKEDigest(128);
    shake.update(stream, 0, stream.length);
    byte[] out = new byte[16];
    shake.doFinal(out, 0, out.length);
    return HEX.formatHex(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SwarmKey other && MessageDigest.isEqual(psk, other.psk);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(psk);
  }

  @Override
  public String toString() {
    return "SwarmKey(fingerprint " + fingerprint() + ")";
  }

  private static byte[] decodeBase16(String text) throws SwarmKeyException {
    if (text.length() != 2 * KEY_BYTES) {
      throw new SwarmKeyException(
          "the key has " + text.length() + " hex digits, a swarm key has exactly " + 2 * KEY_BYTES);
    }
    try {
      return HEX.parseHex(text);
    } catch (IllegalArgumentException e) {
      throw new SwarmKeyException("the key line holds characters that are not hex digits");
    }
  }

  private static byte[] decodeBase64(String text) throws SwarmKeyException {
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new SwarmKeyException("the key line is not valid base64");
    }
  }

  /** The key line(s) of a text encoding, without surrounding whitespace or line ends. */
  private static String text(byte[] rest) {
    return new String(rest, StandardCharsets.US_ASCII).strip();
  }

  private static String line(byte[] file, int from, int to) {
    String s = new String(file, from, to - from, StandardCharsets.UTF_8);
    return s.strip();
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
