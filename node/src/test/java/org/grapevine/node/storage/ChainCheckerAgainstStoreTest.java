package org.grapevine.node.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.MemoryLogView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ChainChecker must answer the same whether it reads the RocksDB store or MemoryLogView. */
class ChainCheckerAgainstStoreTest {
  private static final long NOW = T0_MILLIS + 1_000_000;

  @TempDir Path dir;

  @Test
  void check_randomChainsWithGapsForksAndRevocations_sameOutcomesAsMemoryLogView() {
    ChainChecker checker = new ChainChecker();
    for (long seed = 1; seed <= 5; seed++) {
      Random random = new Random(seed);
      List<LogEntry> pool = randomEntries(random, "p" + seed);
      MemoryLogView memory = new MemoryLogView();
      List<String> outcomes = new ArrayList<>();
      try (RocksPostStore store = RocksPostStore.open(dir.resolve("s" + seed))) {
        // Deliver in random order, several rounds, as gossip and sync would: gaps fill over time.
        for (int round = 0; round < 6; round++) {
          List<LogEntry> delivery = new ArrayList<>(pool);
          Collections.shuffle(delivery, random);
          for (LogEntry e : delivery) {
            ChainOutcome expected = checker.check(e, memory, NOW);
            ChainOutcome actual = checker.check(e, store, NOW);
            assertThat(actual).as("seed %d, %s", seed, e).isEqualTo(expected);
            outcomes.add(expected.getClass().getSimpleName());
            if (expected instanceof ChainOutcome.Append) {
              memory.append(e);
              store.apply(e);
            } else if (expected instanceof ChainOutcome.Fork fork) {
              store.recordFork(fork.held(), fork.incoming());
            }
          }
        }
      }
      assertThat(outcomes)
          .as("seed %d exercises every outcome", seed)
          .contains("Append", "Duplicate", "Gap", "Fork", "Rejected");
    }
  }

  /**
   * Root log delegating two devices and revoking one mid-log; each device log of random length; a
   * second history of the first device diverging at a random seq (a fork); a stranger's log.
   */
  private static List<LogEntry> randomEntries(Random random, String name) {
    TestAuthors.Person person = TestAuthors.person(name);
    SigningKey laptop = person.deviceKey("laptop");
    SigningKey phone = person.deviceKey("phone");
    List<LogEntry> pool = new ArrayList<>();
    pool.add(person.delegate(laptop, T0_MILLIS));
    pool.add(person.delegate(phone, T0_MILLIS));
    int phoneValid = 2 + random.nextInt(4);
    pool.add(person.revoke(phone, phoneValid, T0_MILLIS));
    LogWriter laptopLog = person.deviceLog(laptop);
    LogWriter phoneLog = person.deviceLog(phone);
    int forkAt = 1 + random.nextInt(5);
    LogHead forkHead = LogHead.EMPTY;
    long t = T0_MILLIS;
    for (int i = 1; i <= 8; i++) {
      if (i == forkAt) {
        forkHead = laptopLog.head();
      }
      pool.add(laptopLog.append(TestAuthors.post("laptop " + i), t += random.nextInt(2)));
    }
    for (int i = 1; i <= phoneValid + 3; i++) {
      pool.add(phoneLog.append(TestAuthors.post("phone " + i), t));
    }
    LogWriter forked = new LogWriter(person.identity, laptop, forkHead);
    for (int i = 0; i < 3; i++) {
      pool.add(forked.append(TestAuthors.post("other history " + i), t));
    }
    LogWriter stranger = person.deviceLog(person.deviceKey("stranger"));
    pool.add(stranger.append(TestAuthors.post("never delegated"), t));
    return pool;
  }
}
