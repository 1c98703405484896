package org.grapevine.libp2p.noise.crypto;

import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which ChaCha20-Poly1305 Noise uses in this JVM: {@link #OURS} ({@link ChaCha20Poly1305}) or
 * {@link #JDK} ({@link JdkChaCha20Poly1305}). Both produce the same bytes, so peers never notice
 * and connections made under different choices interoperate.
 *
 * <p>Rule, for every new Noise cipher state ({@link #selected()}):
 *
 * <ol>
 *   <li>The system property {@value #PROPERTY} set to {@code ours} or {@code jdk} forces that one.
 *       Any value other than these and {@code auto} (the default) is the operator's mistake: {@link
 *       #selected()} throws {@link IllegalArgumentException} naming it.
 *   <li>Otherwise the result of a self-measurement, once one has been {@linkplain #install
 *       installed} (the host runs it in the background at start-up: {@code
 *       org.grapevine.libp2p.host.AeadCalibration}, which decides by {@link #faster}).
 *   <li>Until then, ours.
 * </ol>
 *
 * <p>Why measure rather than read the Java version: the JDK's cipher is fast only where HotSpot
 * compiles it to SIMD stubs, and that depends on the CPU as much as on the JDK. Measured on one
 * machine ({@code AeadBenchmark}, 65,519-byte messages, benchmarks/README): JDK 17's cipher runs at
 * 0.37 of ours; Temurin 25's at 3.5 times ours with its AVX-512 stubs, but at 0.6 of ours when the
 * same JVM may use only AVX2 ({@code -XX:UseAVX=2}), as on many x86 machines.
 *
 * <p>The choice is logged at INFO once: by the first {@link #selected()} when the property forces
 * it, else by {@link #install}.
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

  /**
   * How much faster the JDK's cipher must measure before we switch: measurements at start-up are
   * noisy, and ours is the one whose behaviour we know in detail, so near-ties keep it.
   */
  static final double JDK_MIN_SPEEDUP = 1.25;

  private static final Logger log = LoggerFactory.getLogger(AeadImplementation.class);

  /** Guarded by the class lock: taken twice per connection, so the lock is cheap. */
  private static AeadImplementation measured;

  private static boolean logged;

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
   * The implementation for a new cipher state now (see the rule above).
   *
   * @throws IllegalArgumentException if {@value #PROPERTY} holds an unknown value, or {@code jdk}
   *     on a JDK without the cipher
   */
  public static synchronized AeadImplementation selected() {
    String property = System.getProperty(PROPERTY);
    AeadImplementation choice = choose(property, measured, JdkChaCha20Poly1305.available());
    // In auto mode the measurement's install() logs the choice (states made before it use ours).
    if (!logged && !isAuto(property)) {
      logged = true;
      log.info(
          "Noise uses {} ChaCha20-Poly1305 ({}={}, Java {})",
          choice.describe(),
          PROPERTY,
          property,
          Runtime.version().feature());
    }
    return choice;
  }

  /** Whether a measurement should run: no forcing property, and none installed yet. */
  public static synchronized boolean wantsMeasurement() {
    String property = System.getProperty(PROPERTY);
    return measured == null && isAuto(property) && JdkChaCha20Poly1305.available();
  }

  /**
   * Installs the outcome of a self-measurement for all later cipher states (unless the property
   * forces a choice); {@code detail} says what was measured, for the log.
   */
  public static synchronized void install(AeadImplementation choice, String detail) {
    measured = choice;
    logged = true;
    log.info("Noise uses {} ChaCha20-Poly1305 from now on: {}", choice.describe(), detail);
  }

  /**
   * The measurement's verdict: the JDK's cipher if it took at most {@code 1 /} {@value
   * #JDK_MIN_SPEEDUP} of our time for the same work, else ours.
   */
  public static AeadImplementation faster(long oursNanos, long jdkNanos) {
    return jdkNanos * JDK_MIN_SPEEDUP <= oursNanos ? JDK : OURS;
  }

  /** The rule, without side effects; {@code measured} is the installed measurement or null. */
  static AeadImplementation choose(
      String property, AeadImplementation measured, boolean jdkAvailable) {
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
      case "auto" -> measured == null ? OURS : measured;
      default ->
          throw new IllegalArgumentException(
              PROPERTY + " must be ours, jdk or auto, got \"" + property + "\"");
    };
  }

  private static boolean isAuto(String property) {
    return property == null || property.trim().equalsIgnoreCase("auto");
  }

  private String describe() {
    return this == JDK ? "the JDK's" : "our pure-Java";
  }
}
