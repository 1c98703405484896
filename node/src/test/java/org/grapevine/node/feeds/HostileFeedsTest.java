package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestContent.reaction;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken definitions: refused when published (with where the error is), refused when
 * loaded from someone else's log, or cut off at run time, and the node's other feeds keep running.
 */
class HostileFeedsTest {
  @TempDir Path dir;
  private FeedFixture f;
  private FeedFixture.Person alice;

  @BeforeEach
  void open() {
    f = new FeedFixture(dir);
    alice = f.new Person("alice");
    f.follow(alice);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private static FeedDefinition def(String filter, String score) {
    return new FeedDefinition("test", "", 1, filter, score);
  }

  private FeedException refused(FeedDefinition d) {
    try {
      f.feeds.publish(d);
    } catch (FeedException e) {
      return e;
    }
    throw new AssertionError("published: " + d);
  }

  @Test
  void unknownFieldsAndTypeErrorsAreRefusedWithTheirPlace() {
    FeedException e = refused(def("true &&\n  post.nope == 1", ""));
    assertThat(e.code()).isEqualTo(FeedException.Code.INVALID_DEFINITION);
    assertThat(e.problems().get(0).expression()).isEqualTo("filter");
    assertThat(e.problems().get(0).line()).isEqualTo(2);
    assertThat(e.problems().get(0).column()).isEqualTo(3);
    assertThat(e.problems().get(0).message()).contains("undeclared reference");

    FeedException notNumber = refused(def("", "post.text"));
    assertThat(notNumber.problems())
        .singleElement()
        .satisfies(p -> assertThat(p.message()).contains("a score must be a number"));

    FeedException notBool = refused(def("stats.reactions", ""));
    assertThat(notBool.problems().get(0).message()).contains("a filter must be a bool");

    FeedException typeError = refused(def("", "post.time + 'x'"));
    assertThat(typeError.problems().get(0).column()).isEqualTo(11);
    assertThat(typeError.problems().get(0).message()).contains("no matching overload");
  }

  @Test
  void hugeAndDeepExpressionsAreRefused() {
    String huge = "1 + ".repeat(1100) + "1";
    assertThat(refused(def("", huge)).problems().get(0).message()).contains("longer than 4096");
    String deep = "(".repeat(200) + "true" + ")".repeat(200);
    assertThat(refused(def(deep, "")).code()).isEqualTo(FeedException.Code.INVALID_DEFINITION);
    String wide = "post.time" + " + post.time".repeat(60);
    assertThat(f.feeds.check(def("", wide))).isEmpty(); // Long but cheap: allowed.
  }

  @Test
  void expressionsOverTheBudgetAreRefusedBeforeTheyRun() {
    FeedException e =
        refused(
            def(
                "post.hashtags.all(a, post.hashtags.all(b, post.hashtags.all(c,"
                    + " post.mentions.all(d, a + b + c + d != ''))))",
                ""));
    assertThat(e.code()).isEqualTo(FeedException.Code.BUDGET_EXCEEDED);
    assertThat(e.problems().get(0).message()).contains("cost_per_candidate");
    // Ranging over a list whose length cannot be bounded: refused, not guessed.
    FeedException unbounded = refused(def("[post.hashtags].all(l, l.all(h, h != ''))", ""));
    assertThat(unbounded.code()).isEqualTo(FeedException.Code.BUDGET_EXCEEDED);
    // One level over a view list is fine.
    assertThat(f.feeds.check(def("post.hashtags.exists(h, h == 'cats')", ""))).isEmpty();
  }

  @Test
  void aRegexBombRunsInLinearTimeAndDivisionByZeroIsCounted() throws Exception {
    LogEntry bomb = alice.post("a".repeat(8000) + "!");
    LogEntry liked = alice.post("liked");
    f.me.write(reaction("👍", liked));
    LogEntry regex = f.feeds.publish(def("post.text.matches('(a+)+$')", ""));
    // RE2J has no backtracking: the page comes back (the text does not match).
    FeedPage page = f.feeds.run(regex.id().toString(), Optional.empty(), 10);
    assertThat(page.items()).isEmpty();
    assertThat(page.failures()).isZero();

    LogEntry divide = f.feeds.publish(def("", "double(1 / stats.reactions)"));
    FeedPage divided = f.feeds.run(divide.id().toString(), Optional.empty(), 10);
    // Only the post with a reaction has a score; the other one failed and was counted.
    assertThat(divided.items()).extracting(FeedItem::id).containsExactly(liked.id());
    assertThat(divided.failures()).isEqualTo(1);
    assertThat(bomb).isNotNull();
  }

  @Test
  void aBrokenFeedFromSomeoneElsesLogIsRefusedWhenLoadedAndOthersStillRun() throws Exception {
    // Alice's client (not this node's checks) wrote a feed that does not compile here.
    LogEntry broken =
        alice.write(
            Content.newBuilder().setFeed(def("post.colour == 'red'", "").toProto()).build());
    LogEntry post = alice.post("still here");
    assertThatThrownBy(() -> f.feeds.run(broken.id().toString(), Optional.empty(), 10))
        .isInstanceOfSatisfying(
            FeedException.class,
            e -> {
              assertThat(e.code()).isEqualTo(FeedException.Code.INVALID_DEFINITION);
              assertThat(e.problems().get(0).message()).contains("undeclared reference");
            });
    assertThatThrownBy(() -> f.feeds.use(broken.id(), false)).isInstanceOf(FeedException.class);
    assertThat(f.feeds.run("following", Optional.empty(), 10).items())
        .extracting(FeedItem::id)
        .containsExactly(post.id());
    // A non-feed entry and an unknown id say so.
    assertThatThrownBy(() -> f.feeds.run(post.id().toString(), Optional.empty(), 10))
        .isInstanceOfSatisfying(
            FeedException.class,
            e -> assertThat(e.code()).isEqualTo(FeedException.Code.NOT_A_FEED));
    assertThatThrownBy(() -> f.feeds.run("no-such-feed", Optional.empty(), 10))
        .isInstanceOfSatisfying(
            FeedException.class,
            e -> assertThat(e.code()).isEqualTo(FeedException.Code.UNKNOWN_FEED));
  }

  @Test
  void foreignOrForgedCursorsAreRefused() throws Exception {
    for (int i = 0; i < 3; i++) {
      alice.post("p" + i);
    }
    FeedPage page = f.feeds.run("following", Optional.empty(), 1);
    assertThat(page.cursor()).isPresent();
    for (String bad : List.of("nope", "", "AAAA", page.cursor().get() + "x")) {
      assertThatThrownBy(() -> f.feeds.run("following", Optional.of(bad), 1))
          .isInstanceOfSatisfying(
              FeedException.class,
              e -> assertThat(e.code()).isEqualTo(FeedException.Code.BAD_CURSOR));
    }
    assertThatThrownBy(() -> f.feeds.run("mentions", page.cursor(), 1))
        .isInstanceOfSatisfying(
            FeedException.class,
            e -> assertThat(e.code()).isEqualTo(FeedException.Code.BAD_CURSOR));
  }
}
