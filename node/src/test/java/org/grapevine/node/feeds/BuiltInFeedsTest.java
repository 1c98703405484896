package org.grapevine.node.feeds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.node.feeds.FeedFixture.HOUR;
import static org.grapevine.protocol.testing.TestContent.reaction;
import static org.grapevine.protocol.testing.TestContent.reply;
import static org.grapevine.protocol.testing.TestContent.repost;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Post;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden rankings: each built-in feed over a fixed store of signed entries, against the order
 * worked out by hand from the feed's definition. The graph: this node's person ("me") follows alice
 * and bob; alice follows carol and dave, bob follows carol (so carol is followed by two of my
 * follows, dave by one); erin is a stranger.
 */
class BuiltInFeedsTest {
  @TempDir Path dir;
  private FeedFixture f;
  private FeedFixture.Person alice;
  private FeedFixture.Person bob;
  private FeedFixture.Person carol;
  private FeedFixture.Person dave;
  private FeedFixture.Person erin;

  @BeforeEach
  void graph() {
    f = new FeedFixture(dir);
    alice = f.new Person("alice");
    bob = f.new Person("bob");
    carol = f.new Person("carol");
    dave = f.new Person("dave");
    erin = f.new Person("erin");
    f.follow(alice);
    f.follow(bob);
    alice.follow(carol);
    alice.follow(dave);
    bob.follow(carol);
  }

  @AfterEach
  void close() {
    f.close();
  }

  private List<EntryId> ids(LogEntry... entries) {
    return java.util.Arrays.stream(entries).map(LogEntry::id).toList();
  }

  @Test
  void followingIsTheTimelineOfFollowsAndMeNewestFirst() throws Exception {
    LogEntry a1 = alice.post("a1");
    f.advance(60_000);
    LogEntry c1 = carol.post("c1 (not followed)");
    f.advance(60_000);
    LogEntry me1 = f.me.post("me1");
    f.advance(60_000);
    LogEntry b1 = bob.write(repost(c1));
    f.advance(60_000);
    LogEntry e1 = erin.post("e1 (stranger)");
    f.advance(60_000);
    LogEntry a2 = alice.post("a2");
    assertThat(f.all("following", 100)).containsExactlyElementsOf(ids(a2, b1, me1, a1));
    assertThat(c1.id()).isNotEqualTo(e1.id());
  }

  @Test
  void conversationsAreThreadsFollowsAreInByLatestReply() throws Exception {
    LogEntry byAlice = alice.post("alice starts");
    LogEntry byErin = erin.post("erin starts");
    LogEntry byDave = dave.post("dave starts, nobody I follow replies");
    LogEntry quiet = alice.post("nobody answers this one");
    f.advance(HOUR);
    erin.write(reply("erin answers alice", byAlice));
    f.advance(HOUR);
    LogEntry bobAnswersErin = bob.write(reply("bob answers erin", byErin));
    f.advance(HOUR);
    carol.write(reply("carol answers dave", byDave));
    // The thread erin started had its latest reply later than alice's.
    assertThat(f.all("conversations", 100)).containsExactlyElementsOf(ids(byErin, byAlice));
    f.advance(HOUR);
    // A reply deeper in alice's thread (to erin's reply... here to bob's) moves it up.
    erin.write(reply("erin again, in her thread", bobAnswersErin));
    alice.write(reply("alice again", byAlice));
    assertThat(f.all("conversations", 100)).containsExactlyElementsOf(ids(byAlice, byErin));
    assertThat(quiet).isNotNull();
  }

  @Test
  void popularWeighsReactionsAndRepostsOfFollowsDecayingWithAge() throws Exception {
    LogEntry old = carol.post("old, three follow reactions' worth");
    f.advance(6 * HOUR);
    LogEntry fresh = dave.post("fresh, one follow reaction");
    LogEntry strangersOnly = erin.post("reacted to by strangers only");
    LogEntry mine = f.me.post("mine: never in popular");
    alice.write(reaction("👍", old));
    bob.write(repost(old));
    alice.write(reaction("🔥", fresh));
    erin.write(reaction("👍", strangersOnly));
    carol.write(reaction("👍", strangersOnly));
    alice.write(reaction("👍", mine));
    // old: (1 + 2*1) / (6+6)^2 = 0.0208; fresh: 1 / (0+6)^2 = 0.0278.
    assertThat(f.all("popular", 100)).containsExactlyElementsOf(ids(fresh, old));
    f.advance(HOUR);
    alice.write(reaction("❤️", old));
    bob.write(reaction("❤️", old));
    // old: (3 + 2) / 13^2 = 0.0296; fresh: 1 / 7^2 = 0.0204.
    assertThat(f.all("popular", 100)).containsExactlyElementsOf(ids(old, fresh));
  }

  @Test
  void friendsOfFriendsAreThoseTwoFollowsFollow() throws Exception {
    LogEntry c1 = carol.post("carol: followed by alice and bob");
    LogEntry d1 = dave.post("dave: followed by alice only");
    f.advance(60_000);
    LogEntry c2 = carol.post("carol again");
    LogEntry a1 = alice.post("alice: I follow her, not a friend of a friend");
    assertThat(f.all("friends-of-friends", 100)).containsExactlyElementsOf(ids(c2, c1));
    // Bob follows dave too: now two of my follows follow dave as well, and newest comes first.
    f.advance(2 * 60_000);
    bob.follow(dave);
    f.advance(60_000); // The graph of others' follows is rebuilt at most once a minute.
    assertThat(f.all("friends-of-friends", 100)).containsExactlyElementsOf(ids(c2, c1, d1));
    assertThat(a1).isNotNull();
  }

  @Test
  void mentionsAreMentionsRepliesAndQuotesOfMe() throws Exception {
    LogEntry mine = f.me.post("my post");
    f.advance(60_000);
    LogEntry mention =
        erin.post(
            Post.newBuilder()
                .setText("hello @me")
                .addMentions(ByteString.copyFrom(f.me.identity().root().toBytes())));
    f.advance(60_000);
    LogEntry answer = dave.write(reply("answering you", mine));
    f.advance(60_000);
    LogEntry quote =
        carol.write(org.grapevine.protocol.testing.TestContent.quote("look at this", mine));
    f.advance(60_000);
    alice.post("not about me");
    f.me.write(reply("I answer myself: not a mention", mine));
    assertThat(f.all("mentions", 100)).containsExactlyElementsOf(ids(quote, answer, mention));
  }

  @Test
  void pagingNeitherRepeatsNorSkipsWhileNewPostsArrive() throws Exception {
    java.util.List<LogEntry> posts = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      posts.add((i % 2 == 0 ? alice : bob).post("post " + i));
      f.advance(1000);
    }
    FeedPage first = f.feeds.run("following", Optional.empty(), 3);
    // Newer posts and new reactions arrive between pages.
    alice.post("newer 1");
    bob.write(reaction("👍", posts.get(2)));
    f.advance(2 * 60_000); // Even a later minute: the cursor keeps its ranking's time.
    bob.post("newer 2");
    FeedPage second = f.feeds.run("following", first.cursor(), 3);
    alice.post("newer 3");
    FeedPage third = f.feeds.run("following", second.cursor(), 3);
    List<EntryId> seen = new java.util.ArrayList<>();
    for (FeedPage p : List.of(first, second, third)) {
      p.items().forEach(i -> seen.add(i.id()));
    }
    List<EntryId> expected = new java.util.ArrayList<>(ids(posts.toArray(LogEntry[]::new)));
    java.util.Collections.reverse(expected);
    assertThat(seen).containsExactlyElementsOf(expected);
    assertThat(third.cursor()).isEmpty();
    // A fresh first page has the new ones on top.
    assertThat(f.feeds.run("following", Optional.empty(), 3).items().get(0).id()).isNotIn(expected);
  }

  @Test
  void aDeletedPostLeavesTheFeedAtOnce() throws Exception {
    LogEntry keep = alice.post("keep");
    LogEntry gone = alice.post("to be deleted");
    assertThat(f.all("following", 10)).containsExactlyElementsOf(ids(gone, keep));
    alice.write(org.grapevine.protocol.testing.TestContent.delete(gone));
    assertThat(f.all("following", 10)).containsExactlyElementsOf(ids(keep));
  }

  @Test
  void mutedAuthorsAreLeftOut() throws Exception {
    LogEntry a = alice.post("a");
    LogEntry b = bob.post("b");
    f.store.mute(bob.identity());
    assertThat(f.all("following", 10)).containsExactlyElementsOf(ids(a));
    assertThat(b).isNotNull();
  }
}
