package org.grapevine.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreDumps;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.MemoryLogView;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety of own posts (docs/ARCHITECTURE.md "Store": own posts are durable before they are
 * acknowledged; every message is one all-or-nothing write). A child JVM ({@link CrashChild}) posts
 * in a loop and prints an ack after each {@link Node#post} returns; the test kills it with SIGKILL
 * ({@link ProcessHandle#destroyForcibly()}, like {@link Process#destroyForcibly()}, sends SIGKILL
 * on Linux: no shutdown hooks, no close) after a random number of acks, restarts it on the same
 * data directory several times (the chain continues), and then checks the store: every acked entry
 * is there, the log verifies from seq 1, the head matches the entries held, every delete held has
 * taken effect, and the indexes equal a rebuild.
 *
 * <p>What this does not test: power loss. A killed process loses nothing the kernel has already
 * accepted; that own entries are also fsynced before the ack is {@code RocksPostStore.apply} with
 * {@code durable = true} (a {@code WriteOptions.setSync(true)} write), which the node's {@code
 * post} path uses ({@code Engine.ingest} with {@code IngestSource.OWN}).
 */
@Timeout(300)
class CrashIT {
  private static final int ROUNDS = 4;
  @TempDir Path dir;

  @Test
  void postLoop_killedBySigkillRepeatedly_everyAckedEntryPresentAndChainVerifies()
      throws Exception {
    Random random = new Random(20260101);
    Path data = dir.resolve("node");
    TreeMap<Long, EntryId> acked = new TreeMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      int killAfter = 5 + random.nextInt(60);
      runAndKill(data, killAfter, acked, round);
    }
    checkStore(data, acked);
  }

  /**
   * The same through the local HTTP API: the test posts (and deletes) with HTTP requests while a
   * second thread kills the child at a random moment, so requests are in flight at the kill; every
   * request that got its 201/200 answer must have its entry held after the restart.
   */
  @Test
  void httpPostLoop_killedBySigkillRepeatedly_everyAnsweredEntryPresentAndChainVerifies()
      throws Exception {
    Random random = new Random(20261122);
    Path data = dir.resolve("node-http");
    TreeMap<Long, EntryId> acked = new TreeMap<>();
    for (int round = 0; round < ROUNDS; round++) {
      runHttpAndKill(data, 5 + random.nextInt(60), acked, round);
    }
    checkStore(data, acked);
  }

  private void checkStore(Path data, NavigableMap<Long, EntryId> acked) {
    assertThat(acked.size()).isGreaterThanOrEqualTo(ROUNDS * 5);

    TestAuthors.Person person = TestAuthors.person(CrashChild.PERSON);
    AuthorKey device = person.deviceKey(CrashChild.DEVICE).publicKey();
    try (RocksPostStore store = RocksPostStore.open(data.resolve("store"))) {
      // 1. Every acknowledged entry is held, under its seq.
      for (var e : acked.entrySet()) {
        assertThat(store.entry(device, e.getKey()))
            .as("acked seq %d", e.getKey())
            .hasValueSatisfying(s -> assertThat(s.id()).isEqualTo(e.getValue()));
      }
      // 2. The head is the last entry held, and nothing lies beyond it (no half-applied append).
      long head = store.contiguousHead(device);
      assertThat(head).isGreaterThanOrEqualTo(acked.lastKey());
      assertThat(store.entry(device, head + 1)).isEmpty();
      // 3. Both logs verify from seq 1 as a fresh reader would check them, content included.
      MemoryLogView replay = new MemoryLogView();
      verifyLog(store, person.identity.root(), replay);
      verifyLog(store, device, replay);
      // 4. Every delete held has taken effect.
      for (long seq = 1; seq <= head; seq++) {
        LogEntry e = store.logEntry(device, seq).orElseThrow();
        if (e.header().kind() == ContentKind.DELETE) {
          EntryId target =
              EntryId.of(e.content().orElseThrow().getDelete().getTarget().toByteArray());
          assertThat(store.entryById(target).orElseThrow().hasContent())
              .as("target of delete at seq %d", seq)
              .isFalse();
        }
      }
      // 5. Indexes (heads, devices, time, by id, byte counts) equal a rebuild from the entries.
      List<String> live = StoreDumps.derived(store);
      store.rebuildIndexes();
      assertThat(StoreDumps.derived(store)).containsExactlyElementsOf(live);
    }
  }

  private static void verifyLog(RocksPostStore store, AuthorKey author, MemoryLogView replay) {
    EntryValidator validator = new EntryValidator();
    ChainChecker checker = new ChainChecker();
    long head = store.contiguousHead(author);
    assertThat(head).as("log of %s", author).isPositive();
    for (long seq = 1; seq <= head; seq++) {
      LogEntry held = store.logEntry(author, seq).orElseThrow();
      Verification v = validator.validate(held.toEnvelopeBytes());
      assertThat(v).as("seq %d of %s", seq, author).isInstanceOf(Verification.Valid.class);
      LogEntry entry = ((Verification.Valid) v).entry();
      assertThat(checker.check(entry, replay, Long.MAX_VALUE / 2))
          .as("seq %d of %s", seq, author)
          .isInstanceOf(ChainOutcome.Append.class);
      replay.append(entry);
    }
  }

  /**
   * Posts through the child's API until {@code killAfter} answers, then kills it with the next
   * request in flight.
   */
  private void runHttpAndKill(
      Path data, int killAfter, NavigableMap<Long, EntryId> acked, int round) throws Exception {
    Path stderr = dir.resolve("http-child-" + round + ".log");
    Process child = ChildJvm.start(stderr, CrashChild.class, data.toString(), "http");
    java.net.http.HttpClient http =
        java.net.http.HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5))
            .build();
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String api = null;
      while (api == null) {
        String line = out.readLine();
        if (line == null) {
          break;
        } else if (line.startsWith("started ")) {
          assertThat(Long.parseLong(line.substring(8)))
              .as("head at restart")
              .isGreaterThanOrEqualTo(acked.isEmpty() ? 0 : acked.lastKey());
        } else if (line.startsWith("api ")) {
          api = line.substring(4).trim();
        }
      }
      assertThat(api).as("child's API; its log: %s", Files.readString(stderr)).isNotNull();
      String previous = null;
      for (int i = 0; ; i++) {
        java.net.http.HttpRequest.Builder request =
            java.net.http.HttpRequest.newBuilder()
                .header("Authorization", "Bearer " + CrashChild.TOKEN)
                .timeout(java.time.Duration.ofSeconds(30));
        if (previous != null && i % 4 == 3) {
          request.uri(java.net.URI.create(api + "/v1/entries/" + previous)).DELETE();
        } else {
          request
              .uri(java.net.URI.create(api + "/v1/posts"))
              .header("Content-Type", "application/json")
              .POST(
                  java.net.http.HttpRequest.BodyPublishers.ofString(
                      "{\"text\": \"post " + i + " " + "x".repeat(i % 200) + "\"}"));
        }
        if (i == killAfter) {
          // The kill races this request: it may be applied, half-done or never seen.
          java.util.concurrent.CompletableFuture<?> inFlight =
              http.sendAsync(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
          child.toHandle().destroyForcibly(); // SIGKILL on Linux
          try {
            var r = (java.net.http.HttpResponse<?>) inFlight.get(30, TimeUnit.SECONDS);
            if (r.statusCode() / 100 == 2) {
              previous = ack(json, (String) r.body(), acked);
            }
          } catch (java.util.concurrent.ExecutionException expected) {
            // Connection reset by the kill: not acknowledged, so nothing is owed.
          }
          return;
        }
        var r = http.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("answer %s", r.body()).isBetween(200, 201);
        previous = ack(json, r.body(), acked);
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  /**
   * Records the entry an API answer acknowledges; returns the id of the post written (for the next
   * delete).
   */
  private static String ack(
      com.fasterxml.jackson.databind.ObjectMapper json,
      String body,
      NavigableMap<Long, EntryId> acked)
      throws java.io.IOException {
    com.fasterxml.jackson.databind.JsonNode node = json.readTree(body);
    com.fasterxml.jackson.databind.JsonNode entry = node.has("entry") ? node.get("entry") : node;
    EntryId previous =
        acked.put(entry.get("seq").asLong(), EntryId.parse(entry.get("id").asText()));
    assertThat(previous).as("seq %s acked twice", entry.get("seq")).isNull();
    return node.has("entry")
        ? null
        : entry.get("id").asText(); // After a delete, post again before the next one.
  }

  /**
   * Runs the child until {@code killAfter} acks, kills it, and adds every complete ack line to
   * {@code acked}.
   */
  private void runAndKill(Path data, int killAfter, NavigableMap<Long, EntryId> acked, int round)
      throws Exception {
    Path stderr = dir.resolve("child-" + round + ".log");
    Process child = ChildJvm.start(stderr, CrashChild.class, data.toString());
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      int acks = 0;
      boolean killed = false;
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        String[] parts = line.split(" ", -1);
        if (parts.length == 3 && parts[0].equals("acked") && parts[2].length() == 64) {
          EntryId previous = acked.put(Long.parseLong(parts[1]), EntryId.parse(parts[2]));
          assertThat(previous).as("seq %s acked twice", parts[1]).isNull();
          acks++;
        } else if (parts[0].equals("started")) {
          // The restart found the chain where the last round's acks left it (or further).
          long head = Long.parseLong(parts[1]);
          assertThat(head)
              .as("head at restart")
              .isGreaterThanOrEqualTo(acked.isEmpty() ? 0 : acked.lastKey());
        }
        if (!killed && acks >= killAfter) {
          // SIGKILL on Linux. Through the handle, because Process.destroyForcibly (also SIGKILL)
          // closes our end of the pipe, and the acks written before the kill must still be read.
          child.toHandle().destroyForcibly();
          killed = true;
        }
      }
      assertThat(killed)
          .as("child ended by itself; its log: %s", Files.readString(stderr))
          .isTrue();
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
