package org.grapevine.protocol.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogHead;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chain scenarios: every entry goes through the stateless validator first, as on the wire. */
class ChainCheckerTest {
  private final EntryValidator validator = new EntryValidator();
  private final ChainChecker checker = new ChainChecker();
  private final MemoryLogView view = new MemoryLogView();
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private LogWriter laptopLog;

  @BeforeEach
  void delegateLaptop() {
    assertThat(receive(alice.delegate(laptop, T0_MILLIS))).isInstanceOf(ChainOutcome.Append.class);
    laptopLog = alice.deviceLog(laptop);
  }

  @Test
  void check_chainInOrder_appendsEach() {
    for (int i = 0; i < 5; i++) {
      assertThat(receive(laptopLog.append(post("post " + i), T0_MILLIS + i)))
          .isInstanceOf(ChainOutcome.Append.class);
    }
    assertThat(view.contiguousHead(laptop.publicKey())).isEqualTo(5);
  }

  @Test
  void check_sameEntryTwice_duplicate() {
    LogEntry e = laptopLog.append(post("once"), T0_MILLIS);
    receive(e);
    assertThat(receive(e)).isInstanceOf(ChainOutcome.Duplicate.class);
  }

  @Test
  void check_entryAfterMissingOnes_gapNamesMissingRange() {
    receive(laptopLog.append(post("1"), T0_MILLIS));
    laptopLog.append(post("2"), T0_MILLIS);
    laptopLog.append(post("3"), T0_MILLIS);
    laptopLog.append(post("4"), T0_MILLIS);
    LogEntry fifth = laptopLog.append(post("5"), T0_MILLIS);
    assertThat(check(fifth)).isEqualTo(new ChainOutcome.Gap(2, 4));
  }

  @Test
  void check_twoEntriesSameSeq_forkWithBothAsEvidence() {
    LogEntry first = laptopLog.append(post("the real one"), T0_MILLIS);
    receive(first);
    LogEntry other = alice.deviceLog(laptop).append(post("the other one"), T0_MILLIS);
    ChainOutcome outcome = check(other);
    assertThat(outcome)
        .isEqualTo(
            new ChainOutcome.Fork(ChainOutcome.ForkKind.SAME_SEQ, first.signed(), other.signed()));
  }

  @Test
  void check_nextEntryOnOtherBranch_forkPrevMismatch() {
    LogEntry first = laptopLog.append(post("a"), T0_MILLIS);
    receive(first);
    LogWriter branch = alice.deviceLog(laptop);
    branch.append(post("b"), T0_MILLIS); // Never seen by this reader.
    LogEntry second = branch.append(post("b2"), T0_MILLIS);
    ChainOutcome outcome = check(second);
    assertThat(outcome).isInstanceOf(ChainOutcome.Fork.class);
    ChainOutcome.Fork fork = (ChainOutcome.Fork) outcome;
    assertThat(fork.kind()).isEqualTo(ChainOutcome.ForkKind.PREV_MISMATCH);
    assertThat(fork.held()).isEqualTo(first.signed());
    assertThat(fork.incoming()).isEqualTo(second.signed());
  }

  @Test
  void check_undelegatedDevice_rejected() {
    SigningKey stranger = alice.deviceKey("never delegated");
    LogEntry e = alice.deviceLog(stranger).append(post("hi"), T0_MILLIS);
    assertRejected(check(e), RejectReason.UNDELEGATED_DEVICE);
  }

  @Test
  void check_deviceOfAnotherIdentity_rejected() {
    TestAuthors.Person bob = TestAuthors.person("bob");
    // Alice's laptop claims to write for Bob: Bob never delegated it.
    LogEntry e =
        new LogWriter(bob.identity, laptop, LogHead.EMPTY).append(post("I am bob"), T0_MILLIS);
    assertRejected(check(e), RejectReason.UNDELEGATED_DEVICE);
  }

  @Test
  void check_revokedDevice_entriesUpToLastValidSeqStayValid() {
    List<LogEntry> entries = new ArrayList<>();
    for (int i = 1; i <= 4; i++) {
      entries.add(laptopLog.append(post("p" + i), T0_MILLIS + i));
    }
    receive(entries.get(0));
    receive(entries.get(1));
    // The laptop is stolen after seq 2; the thief's seq 3 and 4 must not count.
    assertThat(receive(alice.revoke(laptop, 2, T0_MILLIS + 10)))
        .isInstanceOf(ChainOutcome.Append.class);
    assertRejected(check(entries.get(2)), RejectReason.REVOKED_DEVICE);
    assertThat(view.deviceStatus(alice.identity, laptop.publicKey()))
        .isEqualTo(DeviceStatus.revoked(2));
    assertThat(check(entries.get(1))).isInstanceOf(ChainOutcome.Duplicate.class);
  }

  @Test
  void check_revokedDeviceDelegatedAgain_staysRevoked() {
    receive(alice.revoke(laptop, 0, T0_MILLIS));
    receive(alice.delegate(laptop, T0_MILLIS));
    assertRejected(check(laptopLog.append(post("back?"), T0_MILLIS)), RejectReason.REVOKED_DEVICE);
  }

  @Test
  void check_deletedContent_entryStillVerifiesAndChains() {
    LogEntry doomed = laptopLog.append(post("regret"), T0_MILLIS);
    LogEntry delete =
        laptopLog.append(
            Content.newBuilder()
                .setDelete(
                    Delete.newBuilder().setTarget(ByteString.copyFrom(doomed.id().unsafeBytes())))
                .build(),
            T0_MILLIS);
    LogEntry after = laptopLog.append(post("moving on"), T0_MILLIS);
    // A reader that joins after the delete receives the first entry without its content.
    assertThat(receive(doomed.withoutContent())).isInstanceOf(ChainOutcome.Append.class);
    assertThat(receive(delete)).isInstanceOf(ChainOutcome.Append.class);
    assertThat(receive(after)).isInstanceOf(ChainOutcome.Append.class);
    assertThat(view.logEntry(laptop.publicKey(), 1).orElseThrow().hasContent()).isFalse();
  }

  @Test
  void check_timestampTooFarAhead_rejected() {
    LogEntry e =
        laptopLog.append(post("from the future"), T0_MILLIS + Limits.MAX_CLOCK_SKEW_MILLIS + 1);
    assertRejected(checker.check(e, view, T0_MILLIS), RejectReason.TIMESTAMP_IN_FUTURE);
    assertThat(checker.check(e, view, T0_MILLIS + 1)).isInstanceOf(ChainOutcome.Append.class);
  }

  @Test
  void check_timestampBeforePrevious_rejected() {
    receive(laptopLog.append(post("later"), T0_MILLIS + 1000));
    // The writer never goes back in time; a hand-made log can.
    LogWriter backwards =
        new LogWriter(
            alice.identity,
            laptop,
            new LogHead(1, view.entry(laptop.publicKey(), 1).orElseThrow().id(), 0));
    assertRejected(
        check(backwards.append(post("earlier"), T0_MILLIS)),
        RejectReason.TIMESTAMP_BEFORE_PREVIOUS);
  }

  @Test
  void check_rootLogEntryWithoutContent_contentRequired() {
    SigningKey phone = alice.deviceKey("phone");
    LogEntry delegation = alice.delegate(phone, T0_MILLIS);
    assertRejected(check(delegation.withoutContent()), RejectReason.CONTENT_REQUIRED);
  }

  @Test
  void check_viewMissingEntriesBelowHead_isCallerBug() {
    LogView broken =
        new LogView() {
          @Override
          public long contiguousHead(org.grapevine.protocol.identity.AuthorKey author) {
            return 5;
          }

          @Override
          public java.util.Optional<org.grapevine.protocol.entry.SignedEntry> entry(
              org.grapevine.protocol.identity.AuthorKey author, long seq) {
            return java.util.Optional.empty();
          }

          @Override
          public DeviceStatus deviceStatus(
              org.grapevine.protocol.identity.Identity identity,
              org.grapevine.protocol.identity.AuthorKey device) {
            return DeviceStatus.ACTIVE;
          }
        };
    assertThatThrownBy(
            () -> checker.check(laptopLog.append(post("x"), T0_MILLIS), broken, T0_MILLIS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("contract");
  }

  private ChainOutcome check(LogEntry written) {
    return checker.check(revalidate(written), view, T0_MILLIS);
  }

  private ChainOutcome receive(LogEntry written) {
    LogEntry e = revalidate(written);
    ChainOutcome outcome = checker.check(e, view, T0_MILLIS);
    if (outcome instanceof ChainOutcome.Append) {
      view.append(e);
    }
    return outcome;
  }

  private LogEntry revalidate(LogEntry written) {
    Verification v = validator.validate(written.toEnvelopeBytes());
    assertThat(v).isInstanceOf(Verification.Valid.class);
    return ((Verification.Valid) v).entry();
  }

  private static void assertRejected(ChainOutcome outcome, RejectReason reason) {
    assertThat(outcome).isInstanceOf(ChainOutcome.Rejected.class);
    assertThat(((ChainOutcome.Rejected) outcome).reason()).isEqualTo(reason);
  }
}
