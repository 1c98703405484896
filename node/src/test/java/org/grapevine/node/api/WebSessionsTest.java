package org.grapevine.node.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class WebSessionsTest {
  private final WebSessions sessions = new WebSessions(new SecureRandom());
  private long now = 1_700_000_000_000L;

  @Test
  void aLink_opensOneSession_once() {
    String link = sessions.newLink(now);

    String session = sessions.redeem(link, now + 1_000).orElseThrow();

    assertThat(sessions.valid(session, now + 2_000)).isTrue();
    assertThat(sessions.redeem(link, now + 2_000)).as("used").isEmpty();
    assertThat(sessions.valid(link, now + 2_000)).as("a link is not a session").isFalse();
    assertThat(sessions.valid("nonsense", now)).isFalse();
    assertThat(sessions.valid(null, now)).isFalse();
    assertThat(sessions.redeem(null, now)).isEmpty();
  }

  @Test
  void linksAndSessions_expire() {
    String late = sessions.newLink(now);
    assertThat(sessions.redeem(late, now + WebSessions.LINK_TTL_MILLIS)).isEmpty();

    String link = sessions.newLink(now);
    String session = sessions.redeem(link, now + 1).orElseThrow();
    sessions.end(session);
    assertThat(sessions.valid(session, now + 2)).as("signed out").isFalse();

    String other = sessions.redeem(sessions.newLink(now), now + 1).orElseThrow();
    assertThat(sessions.valid(other, now + WebSessions.SESSION_TTL_MILLIS)).isTrue();
    assertThat(sessions.valid(other, now + 1 + WebSessions.SESSION_TTL_MILLIS)).isFalse();
  }

  @Test
  void linkMaking_isRateLimited_perMinute() {
    for (int i = 0; i < WebSessions.LINKS_PER_MINUTE; i++) {
      sessions.redeem(sessions.newLink(now + i), now + i);
    }
    assertThatThrownBy(() -> sessions.newLink(now + 59_000))
        .isInstanceOfSatisfying(
            ApiError.class, e -> assertThat(e.code()).isEqualTo("rate_limited"));
    assertThat(sessions.newLink(now + 60_000)).isNotEmpty(); // The first minute's first went.
  }

  @Test
  void sessions_areBounded_theOldestEnds() {
    String first = null;
    for (int i = 0; i <= WebSessions.MAX_SESSIONS; i++) {
      now += 60_000; // Past the per-minute limit.
      String s = sessions.redeem(sessions.newLink(now), now).orElseThrow();
      if (first == null) {
        first = s;
      }
    }
    assertThat(sessions.liveSessions(now)).isEqualTo(WebSessions.MAX_SESSIONS);
    assertThat(sessions.valid(first, now)).isFalse();
  }

  @Test
  void escape_leavesNoMarkup() {
    assertThat(WebGuard.escape("<script>alert('x')</script> & \"q\""))
        .isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    assertThat(WebGuard.hostAllowed("127.0.0.1:7320", 7320)).isTrue();
    assertThat(WebGuard.hostAllowed("LOCALHOST:7320", 7320)).isTrue();
    assertThat(WebGuard.hostAllowed("evil.example:7320", 7320)).isFalse();
    assertThat(WebGuard.hostAllowed("127.0.0.1:7321", 7320)).isFalse();
    assertThat(WebGuard.hostAllowed(null, 7320)).isFalse();
    assertThat(WebGuard.originAllowed("http://127.0.0.1:7320", 7320)).isTrue();
    assertThat(WebGuard.originAllowed("http://evil.example", 7320)).isFalse();
    assertThat(WebGuard.originAllowed("null", 7320)).isFalse();
  }
}
