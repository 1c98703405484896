package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestContent.reaction;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The market over two nodes' stores: Alice publishes a feed; Bob's node, holding the same entries,
 * discovers it through the people he follows, pins that version and runs it with the same order as
 * Alice's node; a new version shows as an update Bob must accept.
 */
class PublishAndDiscoverTest {
  @TempDir Path aliceDir;
  @TempDir Path bobDir;

  private static final FeedDefinition CATS =
      new FeedDefinition(
          "Cats",
          "Posts tagged #cats, most reacted first",
          1,
          "post.hashtags.exists(h, h == 'cats')",
          "double(stats.reactions) * 10.0 - post.age_hours");

  @Test
  void publishedByAliceDiscoveredPinnedAndRunByBobInTheSameOrder() throws Exception {
    try (FeedFixture alice = new FeedFixture(aliceDir, "alice");
        FeedFixture bob = new FeedFixture(bobDir, "bob")) {
      // The same writers on both nodes: entries are signed once and delivered to both stores.
      List<FeedFixture.Person> writers = new ArrayList<>();
      for (String name : List.of("carol", "dave", "erin")) {
        writers.add(alice.new Person(name));
      }
      LogEntry feed = alice.feeds.publish(CATS);
      List<LogEntry> entries = new ArrayList<>();
      entries.add(writers.get(0).post("#cats one"));
      alice.advance(3_600_000);
      entries.add(writers.get(1).post("#Cats two"));
      entries.add(writers.get(2).post("#dogs not this"));
      entries.add(writers.get(2).post("#cats three"));
      entries.add(writers.get(1).write(reaction("😺", entries.get(0))));
      entries.add(writers.get(2).write(reaction("😺", entries.get(0))));
      entries.add(writers.get(0).write(reaction("😺", entries.get(3))));
      // Bob's node receives what Alice's holds: her log (with the feed) and the others'.
      bob.clock = alice.clock;
      for (LogEntry e : alice.delivered) {
        bob.deliver(e); // Bob's own log is not among them: he is "bob", not one of these.
      }
      bob.store.follow(alice.me.identity());

      List<FeedInfo> found = bob.feeds.discover(10);
      assertThat(found).extracting(FeedInfo::key).containsExactly(feed.id().toString());
      assertThat(found.get(0).definition()).isEqualTo(CATS);
      assertThat(found.get(0).author()).contains(alice.me.identity());
      assertThat(found.get(0).used()).isFalse();

      LogEntry use = bob.feeds.use(feed.id(), false);
      assertThat(bob.feeds.list()).extracting(FeedInfo::key).contains(feed.id().toString());
      // By its name, as `grapevine timeline --feed cats` asks.
      assertThat(bob.feeds.info("cats").id()).contains(feed.id());

      List<EntryId> atAlice = alice.all(feed.id().toString(), 2);
      List<EntryId> atBob = bob.all("cats", 2);
      assertThat(atBob).isEqualTo(atAlice);
      // one (2 reactions, 1 h old): 19; three (1, 0 h): 10; two (0, 0 h): 0.
      assertThat(atBob)
          .containsExactly(entries.get(0).id(), entries.get(3).id(), entries.get(1).id());

      // Alice's use of her own feed is visible to her followers: Bob follows her, so 1 user.
      alice.feeds.use(feed.id(), false);
      LogEntry v2 =
          alice.feeds.publish(
              new FeedDefinition("Cats", "now with kittens", 2, CATS.filter(), CATS.score()));
      for (LogEntry e :
          alice.delivered.subList(alice.delivered.size() - 2, alice.delivered.size())) {
        bob.deliver(e);
      }
      FeedInfo pinned = bob.feeds.info(feed.id().toString());
      assertThat(pinned.used()).isTrue();
      assertThat(pinned.users()).isEqualTo(1);
      assertThat(pinned.newerVersion()).contains(v2.id());
      // Bob still runs the version he pinned until he accepts the new one.
      assertThat(bob.feeds.info("cats").id()).contains(feed.id());
      bob.feeds.use(v2.id(), false);
      bob.feeds.use(feed.id(), true);
      assertThat(bob.feeds.info("cats").id()).contains(v2.id());
      assertThat(use).isNotNull();
    }
  }

  @Test
  void checkGivesEveryProblemAndPublishWritesNothingThen() throws Exception {
    try (FeedFixture alice = new FeedFixture(aliceDir, "alice")) {
      FeedDefinition bad = new FeedDefinition("", "", 0, "post.nope", "post.text");
      List<FeedProblem> problems = alice.feeds.check(bad);
      assertThat(problems)
          .extracting(FeedProblem::expression)
          .containsExactly("name", "version", "filter", "score");
      int held = alice.delivered.size();
      try {
        alice.feeds.publish(bad);
      } catch (FeedException expected) {
        assertThat(expected.problems()).hasSize(4);
      }
      assertThat(alice.delivered).hasSize(held);
      assertThat(alice.feeds.run("following", Optional.empty(), 5).items()).isEmpty();
    }
  }
}
