package org.grapevine.node.api;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Browser sessions of the local web app (issue 16): one-time login links, and the sessions they
 * open, held in memory (a restart signs every browser out; the bearer token in {@code api.token}
 * stays the way in for scripts and for making links).
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>A link token is 32 random bytes ({@link SecureRandom}), good for {@link #LINK_TTL_MILLIS}
 *       and for one use: redeeming it removes it, whether the session it opens is ever used.
 *   <li>At most {@link #LINKS_PER_MINUTE} links are made in any minute and {@link #MAX_LINKS} wait
 *       unused at once; more is refused ({@code rate_limited}), so a script gone wrong cannot fill
 *       memory.
 *   <li>A session token is 32 random bytes too, good for {@link #SESSION_TTL_MILLIS} from its
 *       link's use. At most {@link #MAX_SESSIONS} live at once; a new one ends the oldest.
 *   <li>Only SHA-256 digests of tokens are kept, so the map lookups cannot leak a token by timing,
 *       and a heap dump holds no usable token.
 * </ol>
 *
 * Time is the caller's (milliseconds since the epoch); thread-safe.
 */
final class WebSessions {
  static final long LINK_TTL_MILLIS = Duration.ofMinutes(2).toMillis();
  static final long SESSION_TTL_MILLIS = Duration.ofHours(12).toMillis();
  static final int LINKS_PER_MINUTE = 10;
  static final int MAX_LINKS = 16;
  static final int MAX_SESSIONS = 32;

  /** The session cookie's name. */
  static final String COOKIE = "gv_session";

  private final SecureRandom random;

  /** Digest of a link token → when it expires. */
  private final Map<String, Long> links = new LinkedHashMap<>();

  /** Digest of a session token → when it expires; oldest first. */
  private final Map<String, Long> sessions = new LinkedHashMap<>();

  /** When each link of the last minute was made. */
  private final ArrayDeque<Long> made = new ArrayDeque<>();

  WebSessions(SecureRandom random) {
    this.random = random;
  }

  /**
   * A new one-time link token.
   *
   * @throws ApiError {@code rate_limited} over {@link #LINKS_PER_MINUTE} or {@link #MAX_LINKS}
   */
  synchronized String newLink(long nowMillis) {
    expire(nowMillis);
    while (!made.isEmpty() && nowMillis - made.peekFirst() >= 60_000) {
      made.pollFirst();
    }
    if (made.size() >= LINKS_PER_MINUTE || links.size() >= MAX_LINKS) {
      throw new ApiError(
          HttpResponseStatus.TOO_MANY_REQUESTS,
          "rate_limited",
          "too many login links: at most "
              + LINKS_PER_MINUTE
              + " a minute and "
              + MAX_LINKS
              + " unused at once; use one or wait");
    }
    made.addLast(nowMillis);
    String token = token();
    links.put(digest(token), nowMillis + LINK_TTL_MILLIS);
    return token;
  }

  /** Uses link {@code token} up: a new session token, or empty if it is unknown, used or old. */
  synchronized Optional<String> redeem(String token, long nowMillis) {
    expire(nowMillis);
    if (token == null || links.remove(digest(token)) == null) {
      return Optional.empty();
    }
    String session = token();
    sessions.put(digest(session), nowMillis + SESSION_TTL_MILLIS);
    if (sessions.size() > MAX_SESSIONS) {
      sessions.remove(sessions.keySet().iterator().next());
    }
    return Optional.of(session);
  }

  /** Whether {@code session} is a live session token. */
  synchronized boolean valid(String session, long nowMillis) {
    expire(nowMillis);
    return session != null && sessions.containsKey(digest(session));
  }

  /** Ends {@code session} (sign out). */
  synchronized void end(String session) {
    if (session != null) {
      sessions.remove(digest(session));
    }
  }

  synchronized int liveSessions(long nowMillis) {
    expire(nowMillis);
    return sessions.size();
  }

  private void expire(long nowMillis) {
    for (Map<String, Long> m : java.util.List.of(links, sessions)) {
      for (Iterator<Long> it = m.values().iterator(); it.hasNext(); ) {
        if (nowMillis - it.next() >= 0) {
          it.remove();
        }
      }
    }
  }

  private String token() {
    byte[] b = new byte[32];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String digest(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
