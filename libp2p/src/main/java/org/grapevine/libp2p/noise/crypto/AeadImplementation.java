package org.grapevine.libp2p.noise.crypto;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which ChaCha20-Poly1305 Noise uses in this JVM: {@link #OURS} ({@link ChaCha20Poly1305}) or
 * {@link #JDK} ({@link JdkChaCha20Poly1305}). Both produce the same bytes, so peers never notice.
 *
 * <p>Rule (decided at the first {@link #selected()} in a JVM, logged once at INFO):
 *
 * <ol>
 *   <li>The system property {@value #PROPERTY} set to {@code ours} or {@code jdk} forces that one
 *       ({@code auto}, the default, applies the rule below). Any other value is the operator's
 *       mistake: {@link #selected()} throws {@link IllegalArgumentException} naming it.
 *   <li>Otherwise the JDK's cipher from Java {@value #JDK_FROM_FEATURE_VERSION} on, ours before.
 * </ol>
 *
 * <p>Why the feature version: the JDK's cipher is fast only where HotSpot compiles it to SIMD stubs
 * (Poly1305 since JDK 19, ChaCha20 since JDK 20). Measured on one machine (benchmarks/README,
 * {@code AeadBenchmark}, 65,519-byte messages): on JDK 17 the JDK's cipher runs at about a third of
 * ours; on Temurin 25 it runs several times faster than ours, with its AVX-512 stubs and also when
 * restricted to AVX2 ({@code -XX:UseAVX=2}, what most x86 machines have). Versions between were not
 * measured, so they keep ours, whose speed is known. A self-measurement at start-up was rejected: a
 * cold JVM has compiled neither cipher, so a short measurement times the interpreter and the JIT,
 * and a long one delays the first connection.
 */
public enum AeadImplementation {
  OURS("ours") {
    @Override
    public Aead create(byte[] key) {
      return new ChaCha20Poly1305(key);
    }
  },
  JDK("jdk") {
    @Override
    public Aead create(byte[] key) {
      return new JdkChaCha20Poly1305(key);
    }
  };

  /** The system property that forces a choice: {@code ours}, {@code jdk} or {@code auto}. */
  public static final String PROPERTY = "grapevine.noise.aead";

  /** The first Java feature version whose JDK cipher we measured faster than ours. */
  static final int JDK_FROM_FEATURE_VERSION = 25;

  private final String propertyValue;

  AeadImplementation(String propertyValue) {
    this.propertyValue = propertyValue;
  }

  /** A cipher of this implementation under the 32-byte {@code key}. */
  public abstract Aead create(byte[] key);

  /** The value of {@value #PROPERTY} that forces this implementation. */
  public String propertyValue() {
    return propertyValue;
  }

  /**
   * The implementation this JVM uses, decided at the first call from {@value #PROPERTY} and the
   * running Java version, and logged once.
   *
   * @throws IllegalArgumentException if {@value #PROPERTY} holds an unknown value (every call)
   */
  public static AeadImplementation selected() {
    return selectOnce();
  }

  /**
   * The rule, without side effects: {@code property} is the value of {@value #PROPERTY} or {@code
   * null}; {@code jdkAvailable} whether {@code Cipher.getInstance("ChaCha20-Poly1305")} works.
   */
  static AeadImplementation choose(String property, int featureVersion, boolean jdkAvailable) {
    String value = property == null ? "auto" : property.trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "ours" -> OURS;
      case "jdk" -> {
        if (!jdkAvailable) {
          throw new IllegalArgumentException(
              PROPERTY + "=jdk, but this JDK has no ChaCha20-Poly1305 cipher");
        }
        yield JDK;
      }
      case "auto" -> featureVersion >= JDK_FROM_FEATURE_VERSION && jdkAvailable ? JDK : OURS;
      default ->
          throw new IllegalArgumentException(
              PROPERTY + " must be ours, jdk or auto, got \"" + property + "\"");
    };
  }

  private static final Logger log = LoggerFactory.getLogger(AeadImplementation.class);

  /** Guarded by the class lock: two cipher states per connection, so the lock is cheap. */
  private static AeadImplementation selected;

  private static synchronized AeadImplementation selectOnce() {
    if (selected == null) {
      String property = System.getProperty(PROPERTY);
      int feature = Runtime.version().feature();
      AeadImplementation choice = choose(property, feature, JdkChaCha20Poly1305.available());
      log.info(
          "Noise uses {} ChaCha20-Poly1305 (Java {}, {}={}; rule: ours before Java {}, the JDK's"
              + " from then on)",
          choice == JDK ? "the JDK's" : "our pure-Java",
          feature,
          PROPERTY,
          property == null ? "unset" : property,
          JDK_FROM_FEATURE_VERSION);
      selected = choice;
    }
    return selected;
  }
}
