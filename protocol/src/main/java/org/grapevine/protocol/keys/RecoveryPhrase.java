package org.grapevine.protocol.keys;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.Sha256;

/**
 * A root key written down by hand: its 32-byte Ed25519 seed as 24 words of the BIP-39 English word
 * list, with BIP-39's checksum (the first 8 bits of SHA-256 of the seed).
 *
 * <pre>
 *   seed (256 bits) || SHA-256(seed)[0] (8 bits)  =  264 bits  =  24 words x 11 bits
 * </pre>
 *
 * The seed is the phrase's entropy itself: there is no BIP-39 PBKDF2 step, so this is not a wallet
 * seed and must not be typed into a wallet. Parsing forgives what people do when they copy words:
 * any case, extra spaces, and any unique prefix of at least four letters (BIP-39 words are unique
 * in their first four letters).
 */
public final class RecoveryPhrase {
  public static final int WORDS = 24;
  private static final int BITS_PER_WORD = 11;
  private static final int MAX_INPUT_CHARS = 1024;
  private static final List<String> WORDLIST = loadWordlist();
  private static final Map<String, Integer> INDEX = new HashMap<>();
  private static final Map<String, Integer> BY_FIRST_FOUR = new HashMap<>();

  static {
    for (int i = 0; i < WORDLIST.size(); i++) {
      String w = WORDLIST.get(i);
      INDEX.put(w, i);
      if (w.length() >= 4) {
        BY_FIRST_FOUR.put(w.substring(0, 4), i);
      }
    }
  }

  private RecoveryPhrase() {}

  /** The phrase of a 32-byte seed, words separated by single spaces. */
  public static String encode(byte[] seed) {
    if (seed.length != Limits.PRIVATE_SEED_BYTES) {
      throw new IllegalArgumentException(
          "a seed is " + Limits.PRIVATE_SEED_BYTES + " bytes, got " + seed.length);
    }
    byte[] bits = Arrays.copyOf(seed, seed.length + 1);
    bits[seed.length] = Sha256.hash(seed)[0];
    StringBuilder sb = new StringBuilder();
    for (int w = 0; w < WORDS; w++) {
      if (w > 0) {
        sb.append(' ');
      }
      sb.append(WORDLIST.get(readBits(bits, w * BITS_PER_WORD)));
    }
    return sb.toString();
  }

  /** The seed of a phrase. */
  public static byte[] decode(String phrase) throws RecoveryPhraseException {
    String text = phrase == null ? "" : phrase.strip().toLowerCase(Locale.ROOT);
    if (text.length() > MAX_INPUT_CHARS) {
      throw new RecoveryPhraseException(
          RecoveryPhraseException.Problem.WRONG_WORD_COUNT,
          "that is far longer than a recovery phrase of " + WORDS + " words");
    }
    String[] words = text.isEmpty() ? new String[0] : text.split("[\\s,]+");
    if (words.length != WORDS) {
      throw new RecoveryPhraseException(
          RecoveryPhraseException.Problem.WRONG_WORD_COUNT,
          "a recovery phrase has " + WORDS + " words; this one has " + words.length);
    }
    byte[] bits = new byte[Limits.PRIVATE_SEED_BYTES + 1];
    for (int w = 0; w < WORDS; w++) {
      Integer index = lookup(words[w]);
      if (index == null) {
        throw new RecoveryPhraseException(
            RecoveryPhraseException.Problem.UNKNOWN_WORD,
            "word "
                + (w + 1)
                + " (\""
                + words[w]
                + "\") is not in the word list"
                + suggestion(words[w]));
      }
      writeBits(bits, w * BITS_PER_WORD, index);
    }
    byte[] seed = Arrays.copyOf(bits, Limits.PRIVATE_SEED_BYTES);
    if (Sha256.hash(seed)[0] != bits[Limits.PRIVATE_SEED_BYTES]) {
      throw new RecoveryPhraseException(
          RecoveryPhraseException.Problem.BAD_CHECKSUM,
          "the words are all valid but the checksum does not match: a word is wrong or two are swapped");
    }
    return seed;
  }

  private static Integer lookup(String word) {
    Integer exact = INDEX.get(word);
    if (exact != null || word.length() < 4) {
      return exact;
    }
    // An abbreviation: the word it starts must begin with it entirely ("abst" or "abstra", not
    // "abstrx").
    Integer candidate = BY_FIRST_FOUR.get(word.substring(0, 4));
    return candidate != null && WORDLIST.get(candidate).startsWith(word) ? candidate : null;
  }

  private static String suggestion(String word) {
    String prefix = word.substring(0, Math.min(3, word.length()));
    List<String> close = new ArrayList<>();
    for (String w : WORDLIST) {
      if (w.startsWith(prefix) && close.size() < 5) {
        close.add(w);
      }
    }
    return close.isEmpty()
        ? ""
        : "; words starting \"" + prefix + "\": " + String.join(", ", close);
  }

  private static int readBits(byte[] bytes, int bitOffset) {
    int v = 0;
    for (int i = 0; i < BITS_PER_WORD; i++) {
      int bit = bitOffset + i;
      v = (v << 1) | ((bytes[bit >>> 3] >>> (7 - (bit & 7))) & 1);
    }
    return v;
  }

  private static void writeBits(byte[] bytes, int bitOffset, int value) {
    for (int i = 0; i < BITS_PER_WORD; i++) {
      int bit = bitOffset + i;
      if (((value >>> (BITS_PER_WORD - 1 - i)) & 1) != 0) {
        bytes[bit >>> 3] |= (byte) (1 << (7 - (bit & 7)));
      }
    }
  }

  private static List<String> loadWordlist() {
    List<String> words = new ArrayList<>(2048);
    try (InputStream in = RecoveryPhrase.class.getResourceAsStream("bip39-english.txt")) {
      if (in == null) {
        throw new IllegalStateException("bip39-english.txt is missing from the protocol jar");
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          words.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (words.size() != 2048) {
      throw new IllegalStateException(
          "the BIP-39 word list has " + words.size() + " words, expected 2048");
    }
    return List.copyOf(words);
  }
}
