package org.grapevine.protocol.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;

/** Properties over the input space of the decoders and of chains (bounded tries: CI runs them). */
class EntryPropertiesTest {
  private static final EntryValidator VALIDATOR = new EntryValidator();
  private static final TestAuthors.Person ALICE = TestAuthors.person("alice");
  private static final SigningKey LAPTOP = ALICE.deviceKey("laptop");
  private static final LogEntry SAMPLE =
      ALICE.deviceLog(LAPTOP).append(TestAuthors.post("a sample post"), T0_MILLIS);

  @Property(tries = 3000)
  void validate_anyBytes_returnsVerdictNeverThrows(@ForAll @Size(max = 600) byte[] input) {
    Verification v = VALIDATOR.validate(input);
    assertThat(v).isNotNull();
    if (v instanceof Verification.Invalid invalid) {
      assertThat(invalid.reason()).isNotNull();
    }
  }

  @Property(tries = 3000)
  void validate_randomlyMutatedEnvelope_returnsVerdictNeverThrows(
      @ForAll("positions") List<Integer> positions, @ForAll byte replacement) {
    byte[] envelope = SAMPLE.toEnvelopeBytes();
    for (int p : positions) {
      envelope[p % envelope.length] ^= (byte) (replacement | 1);
    }
    assertThat(VALIDATOR.validate(envelope)).isNotNull();
  }

  @Property(tries = 1000)
  void validate_truncatedEnvelope_rejectedOrSameEntryWithoutContent(
      @ForAll @IntRange(min = 0, max = 400) int cut) {
    byte[] envelope = SAMPLE.toEnvelopeBytes();
    byte[] truncated = java.util.Arrays.copyOf(envelope, Math.min(cut, envelope.length - 1));
    Verification v = VALIDATOR.validate(truncated);
    if (v instanceof Verification.Valid valid) {
      // Cut exactly before the content field: the entry is whole, its content is not held.
      assertThat(valid.entry().signed()).isEqualTo(SAMPLE.signed());
      assertThat(valid.entry().hasContent()).isFalse();
    }
  }

  /** The property the whole design rests on: no bit of a signed entry can change unnoticed. */
  @Property(tries = 2000)
  void validate_anySingleBitFlipInEntryOrSignature_rejected(
      @ForAll @IntRange(min = 0, max = 100_000) int bitSeed) {
    byte[] entry = SAMPLE.signed().entryBytes();
    byte[] sig = SAMPLE.signed().signature();
    int bit = bitSeed % ((entry.length + sig.length) * 8);
    if (bit < entry.length * 8) {
      entry[bit / 8] ^= (byte) (1 << (bit % 8));
    } else {
      bit -= entry.length * 8;
      sig[bit / 8] ^= (byte) (1 << (bit % 8));
    }
    assertThat(VALIDATOR.validate(EntryCodec.encodeEnvelope(entry, sig, null)))
        .isInstanceOf(Verification.Invalid.class);
  }

  /** Anywhere in the envelope, a flipped bit is refused or leaves the signed entry untouched. */
  @Property(tries = 2000)
  void validate_anySingleBitFlipInEnvelope_rejectedOrSameEntry(
      @ForAll @IntRange(min = 0, max = 100_000) int bitSeed) {
    byte[] envelope = SAMPLE.toEnvelopeBytes();
    int bit = bitSeed % (envelope.length * 8);
    envelope[bit / 8] ^= (byte) (1 << (bit % 8));
    Verification v = VALIDATOR.validate(envelope);
    if (v instanceof Verification.Valid valid) {
      // A flip in the content field's tag can turn the content into an unknown field: the same
      // entry, now without content, which a reader then fetches by hash.
      assertThat(valid.entry().id()).isEqualTo(SAMPLE.id());
      assertThat(valid.entry().signed()).isEqualTo(SAMPLE.signed());
      assertThat(valid.entry().hasContent()).isFalse();
    }
  }

  @Property(tries = 50)
  void randomChain_everyEntryVerifiesAndAppends(
      @ForAll("chains") List<Content> contents, @ForAll("steps") List<Long> steps) {
    MemoryLogView view = new MemoryLogView();
    ChainChecker checker = new ChainChecker();
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    long now = T0_MILLIS;
    appendValid(bob.delegate(phone, now), view, checker, now);
    LogWriter log = bob.deviceLog(phone);
    for (int i = 0; i < contents.size(); i++) {
      now += steps.get(i % steps.size()); // Clocks may stand still or jump back; the writer copes.
      appendValid(log.append(contents.get(i), now), view, checker, now + 60_000);
    }
    assertThat(view.contiguousHead(phone.publicKey())).isEqualTo(contents.size());
  }

  private static void appendValid(
      LogEntry written, MemoryLogView view, ChainChecker checker, long now) {
    Verification v = VALIDATOR.validate(written.toEnvelopeBytes());
    assertThat(v).isInstanceOf(Verification.Valid.class);
    LogEntry e = ((Verification.Valid) v).entry();
    assertThat(checker.check(e, view, now)).isInstanceOf(ChainOutcome.Append.class);
    view.append(e);
  }

  @Provide
  Arbitrary<List<Integer>> positions() {
    return Arbitraries.integers().between(0, 10_000).list().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<List<Long>> steps() {
    return Arbitraries.longs().between(-5_000, 100_000).list().ofMinSize(1).ofMaxSize(10);
  }

  @Provide
  Arbitrary<List<Content>> chains() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(300);
    Arbitrary<Content> posts = text.map(TestAuthors::post);
    Arbitrary<Content> mentions =
        Combinators.combine(text, Arbitraries.integers().between(0, 5))
            .as(
                (t, n) -> {
                  Post.Builder p = Post.newBuilder().setText(t);
                  for (int i = 0; i < n; i++) {
                    p.addMentions(TestAuthors.bytes(TestAuthors.key("m" + i).publicKey()));
                  }
                  return Content.newBuilder().setPost(p).build();
                });
    return Arbitraries.oneOf(posts, mentions).list().ofMinSize(1).ofMaxSize(40);
  }
}
