package org.grapevine.node.engine;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.grapevine.protocol.identity.Identity;

/**
 * How many addressed entries of writers whose logs this node does not hold it takes in (issue 15):
 * per writer, at most {@link Config#perWriterEntries} entries and {@link Config#perWriterBytes}
 * content bytes, and per addressee at most {@link Config#perAddresseeEntries} entries from all such
 * writers together, in each window of {@link Config#windowMillis}. The per-addressee bound is what
 * stops a flood from many fresh identities (identities cost nothing to make); the per-writer one
 * keeps one loud stranger from using it all.
 *
 * <p>Fixed windows: counts start again at each multiple of the window. Memory is bounded: at most
 * {@link Config#maxTrackedWriters} writers are tracked, the least recently seen forgotten first (a
 * forgotten writer starts its window afresh, still under the addressee's bound). Time is the
 * caller's (the engine's wall clock of the core); nothing here reads a clock. Not thread-safe: the
 * engine's thread only.
 */
public final class LooseLimits {

  /**
   * The bounds.
   *
   * @param perWriterEntries addressed entries taken per writer identity per window
   * @param perWriterBytes content bytes taken per writer identity per window
   * @param perAddresseeEntries addressed entries taken per addressee from all writers per window
   * @param windowMillis the window
   * @param maxTrackedWriters writers whose counts are kept
   * @param totalBytes loose entries held in all (envelope and content bytes, {@code
   *     PostStore.looseBytes}); over it the oldest are evicted (the engine does it)
   */
  public record Config(
      int perWriterEntries,
      long perWriterBytes,
      int perAddresseeEntries,
      long windowMillis,
      int maxTrackedWriters,
      long totalBytes) {
    /**
     * The node's defaults: a stranger may address someone 20 times in 10 minutes (a lively
     * conversation), 256 KiB of it; an addressee takes 600 such entries from all strangers in 10
     * minutes (one a second); 10,000 writers are tracked; 64 MiB of loose entries are kept (about
     * 100,000 replies of a few hundred bytes).
     */
    public static final Config DEFAULT =
        new Config(20, 256 * 1024, 600, 10 * 60 * 1000L, 10_000, 64L << 20);

    /** The bounds with the default total ({@link #DEFAULT}'s). */
    public Config(
        int perWriterEntries,
        long perWriterBytes,
        int perAddresseeEntries,
        long windowMillis,
        int maxTrackedWriters) {
      this(
          perWriterEntries,
          perWriterBytes,
          perAddresseeEntries,
          windowMillis,
          maxTrackedWriters,
          64L << 20);
    }

    public Config {
      if (perWriterEntries < 0
          || perWriterBytes < 0
          || perAddresseeEntries < 0
          || windowMillis <= 0
          || maxTrackedWriters <= 0
          || totalBytes < 0) {
        throw new IllegalArgumentException("loose limits out of range: " + this);
      }
    }
  }

  /** What {@link #admit} decided. */
  public enum Verdict {
    ADMITTED,
    OVER_WRITER_LIMIT,
    OVER_ADDRESSEE_LIMIT
  }

  private static final class Window {
    long start;
    long entries;
    long bytes;
  }

  private final Config config;

  /** Both null until the first admission: most nodes never take a stranger's entry. */
  private LinkedHashMap<Identity, Window> writers;

  private Map<Identity, Window> addressees;

  public LooseLimits(Config config) {
    this.config = config;
  }

  /**
   * Whether an entry of {@code writer} of {@code bytes} content bytes addressing {@code addressee}
   * may be taken at {@code nowMillis}; if so, it is counted.
   */
  public Verdict admit(Identity writer, Identity addressee, long bytes, long nowMillis) {
    long start = nowMillis - Math.floorMod(nowMillis, config.windowMillis());
    if (writers == null) {
      writers = new LinkedHashMap<>(16, 0.75f, true);
      addressees = new HashMap<>();
    }
    Window w = window(writers, writer, start);
    if (writers.size() > config.maxTrackedWriters()) {
      writers.remove(writers.keySet().iterator().next()); // Least recently seen; never w.
    }
    if (w.entries >= config.perWriterEntries() || w.bytes + bytes > config.perWriterBytes()) {
      return Verdict.OVER_WRITER_LIMIT;
    }
    Window a = window(addressees, addressee, start);
    if (a.entries >= config.perAddresseeEntries()) {
      return Verdict.OVER_ADDRESSEE_LIMIT;
    }
    w.entries++;
    w.bytes += bytes;
    a.entries++;
    return Verdict.ADMITTED;
  }

  private static Window window(Map<Identity, Window> map, Identity key, long start) {
    Window w = map.computeIfAbsent(key, k -> new Window());
    if (w.start != start) {
      w.start = start;
      w.entries = 0;
      w.bytes = 0;
    }
    return w;
  }
}
