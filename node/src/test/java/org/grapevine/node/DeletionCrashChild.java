package org.grapevine.node;

import com.google.protobuf.ByteString;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.node.engine.Engine;
import org.grapevine.node.storage.RocksPostStore;
import org.grapevine.node.storage.StoreConfig;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.EntryValidator;

/**
 * The child JVM of {@link DeletionCrashIT}: the node's ingestion path (engine over the RocksDB
 * store in the directory given as the first argument) receiving, as sync delivers them, the entries
 * of one person after another ({@link #script}): deletes before and after their targets (tombstone
 * writes), a revocation that purges the phone's later entries and a content fill, until it is
 * killed. Prints {@code acked <person> <index> <entry id>} after each ingest returns; only these
 * lines and one {@code started <person>} go to stdout.
 */
public final class DeletionCrashChild {
  static final long NOW = TestAuthors.T0_MILLIS + 3_600_000;

  /** The phone's last valid seq in the revocation: its entries 5 and 6 are purged. */
  static final long LAST_VALID_SEQ = 4;

  /** Indexes in {@link #script} of the entries a revocation removes (the phone's 5 and 6). */
  static final List<Integer> PURGED = List.of(6, 10);

  /** Index of the laptop's L4 without its content; the next index is its full copy (a fill). */
  static final int BARE = 12;

  /** In "node" mode: the node's own identity, none of the scripts' people. */
  static final TestAuthors.Person OWN = TestAuthors.person("deletion-crash-own");

  /** In "node" mode: ingests between flushes of the WAL-less writes. */
  static final int PERSIST_EVERY = 40;

  private DeletionCrashChild() {}

  /** The person of script {@code k}. */
  static TestAuthors.Person person(int k) {
    return TestAuthors.person("deletion-crash-" + k);
  }

  /**
   * Person {@code k}'s entries in the order a follower receives them (the same bytes on every
   * call): the two delegations; the phone's posts P1, P2, a delete of the laptop's L1 (not held
   * yet), P4 and (stolen from here on) a delete of P4; the laptop's L1 (stored without content), L2
   * and a reaction to P1; the thief's delete of L2; the revocation with last valid seq 4.
   */
  static List<LogEntry> script(int k) {
    TestAuthors.Person p = person(k);
    SigningKey laptopKey = p.deviceKey("laptop");
    SigningKey phoneKey = p.deviceKey("phone");
    LogWriter laptop = p.deviceLog(laptopKey);
    LogWriter phone = p.deviceLog(phoneKey);
    long t = TestAuthors.T0_MILLIS;
    List<LogEntry> out = new ArrayList<>();
    out.add(p.delegate(laptopKey, t));
    out.add(p.delegate(phoneKey, t));
    LogEntry l1 = laptop.append(TestAuthors.post("L1 of " + k), t + 1);
    LogEntry l2 = laptop.append(TestAuthors.post("L2 of " + k), t + 2);
    LogEntry p1 = phone.append(TestAuthors.post("P1 of " + k), t + 1);
    LogEntry l3 = laptop.append(reaction(p1), t + 3);
    out.add(p1);
    out.add(phone.append(TestAuthors.post("P2 of " + k + " " + "x".repeat(k % 300)), t + 2));
    out.add(phone.append(delete(l1), t + 3));
    LogEntry p4 = phone.append(TestAuthors.post("P4 of " + k), t + 4);
    out.add(p4);
    out.add(phone.append(delete(p4), t + 5)); // 6: purged
    out.add(l1);
    out.add(l2);
    out.add(l3);
    out.add(phone.append(delete(l2), t + 6)); // 10: purged
    out.add(p.revoke(phoneKey, LAST_VALID_SEQ, t + 7));
    LogEntry l4 = laptop.append(TestAuthors.post("L4 of " + k), t + 8);
    out.add(l4.withoutContent()); // 12: missing content (a bare peer served it)...
    out.add(l4); // 13: ...filled in by a full copy (issue 12, case 2).
    return out;
  }

  static Content delete(LogEntry target) {
    return Content.newBuilder()
        .setDelete(Delete.newBuilder().setTarget(ByteString.copyFrom(target.id().unsafeBytes())))
        .build();
  }

  private static Content reaction(LogEntry target) {
    return Content.newBuilder()
        .setReaction(
            Reaction.newBuilder()
                .setEmoji("+")
                .setTarget(
                    Ref.newBuilder()
                        .setIdentity(TestAuthors.bytes(target.header().identity().root()))
                        .setEntry(ByteString.copyFrom(target.id().unsafeBytes()))))
        .build();
  }

  private static boolean complete(RocksPostStore store, int k) {
    LogEntry last = script(k).get(BARE + 1);
    return store.entryById(last.id()).map(LogEntry::hasContent).orElse(false);
  }

  public static void main(String[] args) throws Exception {
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
    System.setOut(System.err); // Nothing else may interleave with the acks.
    boolean asNode = args.length > 1 && args[1].equals("node");
    // As a node opens it ("node"): none of the scripts' people is the node's identity, so every
    // write skips the WAL and survives a kill only once flushed (persistUnlogged).
    RocksPostStore store =
        asNode
            ? RocksPostStore.open(Path.of(args[0]), StoreConfig.DEFAULT, OWN.identity)
            : RocksPostStore.open(Path.of(args[0]));
    Engine engine = new Engine(store, new EntryValidator(), new ChainChecker(), 64, 1024);
    // Resume at the first person whose script is not complete; earlier ones are.
    int k = 0;
    while (complete(store, k)) {
      k++;
    }
    out.println("started " + k);
    long ingested = 0;
    out.flush();
    for (; ; k++) {
      List<LogEntry> script = script(k);
      for (int i = 0; i < script.size(); i++) {
        engine.ingest(script.get(i).toEnvelopeBytes(), NOW);
        out.println("acked " + k + " " + i + " " + script.get(i).id());
        if (asNode && ++ingested % PERSIST_EVERY == 0) {
          store.persistUnlogged();
          out.println("persisted");
        }
        out.flush();
      }
    }
  }
}
