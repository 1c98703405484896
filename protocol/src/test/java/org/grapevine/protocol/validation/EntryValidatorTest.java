package org.grapevine.protocol.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.util.function.UnaryOperator;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.ContentKind;
import org.grapevine.protocol.entry.EntryCodec;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Entry;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.Follow;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Reaction;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.testing.TestAuthors;
import org.junit.jupiter.api.Test;

class EntryValidatorTest {
  private final EntryValidator validator = new EntryValidator();
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final SigningKey laptop = alice.deviceKey("laptop");
  private final LogWriter log = alice.deviceLog(laptop);

  @Test
  void validate_writtenEntry_isValidWithSameIdAndContent() {
    LogEntry first = log.append(post("hello"), T0_MILLIS);
    Verification v = validator.validate(first.toEnvelopeBytes());
    assertThat(v).isInstanceOf(Verification.Valid.class);
    LogEntry back = ((Verification.Valid) v).entry();
    assertThat(back.id()).isEqualTo(first.id());
    assertThat(back.header()).isEqualTo(first.header());
    assertThat(back.content()).contains(post("hello"));
  }

  @Test
  void validate_withoutContent_isValidWithoutContent() {
    LogEntry first = log.append(post("to be deleted"), T0_MILLIS);
    Verification v = validator.validate(first.withoutContent().toEnvelopeBytes());
    assertThat(v).isInstanceOf(Verification.Valid.class);
    assertThat(((Verification.Valid) v).entry().hasContent()).isFalse();
    assertThat(((Verification.Valid) v).entry().id()).isEqualTo(first.id());
  }

  @Test
  void validate_unknownKind_keptByteForByteAndReportedUnknown() {
    byte[] future = {0x62, 0x03, 'n', 'e', 'w', 0x08, 0x2a}; // Whatever a future kind 42 holds.
    LogEntry e = log.appendOpaque(42, future, T0_MILLIS);
    Verification v = validator.validate(e.toEnvelopeBytes());
    assertThat(v).isInstanceOf(Verification.Valid.class);
    LogEntry back = ((Verification.Valid) v).entry();
    assertThat(back.header().kind()).isEqualTo(ContentKind.UNKNOWN);
    assertThat(back.header().kindNumber()).isEqualTo(42);
    assertThat(back.contentBytes()).hasValueSatisfying(b -> assertThat(b).isEqualTo(future));
    assertThat(back.content()).isEmpty();
    assertThat(back.toEnvelopeBytes()).isEqualTo(e.toEnvelopeBytes());
  }

  @Test
  void validate_garbage_malformedEnvelope() {
    assertReject(
        new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, RejectReason.MALFORMED_ENVELOPE);
  }

  @Test
  void validate_oversizeEnvelope_rejectedBeforeParsing() {
    assertReject(new byte[Limits.MAX_ENVELOPE_BYTES + 1], RejectReason.ENVELOPE_TOO_LARGE);
  }

  @Test
  void validate_oversizeHeader_rejected() {
    LogEntry e = log.append(post("x"), T0_MILLIS);
    byte[] big = new byte[Limits.MAX_ENTRY_BYTES + 1];
    assertReject(
        EntryCodec.encodeEnvelope(big, e.signed().signature(), null), RejectReason.ENTRY_TOO_LARGE);
  }

  @Test
  void validate_signatureByAnotherKey_badSignature() {
    LogEntry e = log.append(post("x"), T0_MILLIS);
    byte[] forged =
        TestAuthors.key("mallory").sign(EntryCodec.signingMessage(e.signed().entryBytes()));
    assertReject(
        EntryCodec.encodeEnvelope(e.signed().entryBytes(), forged, null),
        RejectReason.BAD_SIGNATURE);
  }

  @Test
  void validate_signatureWithoutDomainPrefix_badSignature() {
    LogEntry e = log.append(post("x"), T0_MILLIS);
    byte[] bare = laptop.sign(e.signed().entryBytes());
    assertReject(
        EntryCodec.encodeEnvelope(e.signed().entryBytes(), bare, null), RejectReason.BAD_SIGNATURE);
  }

  @Test
  void validate_shortSignature_badSignature() {
    LogEntry e = log.append(post("x"), T0_MILLIS);
    assertReject(
        EntryCodec.encodeEnvelope(e.signed().entryBytes(), new byte[10], null),
        RejectReason.BAD_SIGNATURE);
  }

  @Test
  void validate_contentChanged_hashOrSizeMismatch() {
    LogEntry e = log.append(post("hello"), T0_MILLIS);
    byte[] other = post("hellO").toByteArray();
    assertReject(
        EntryCodec.encodeEnvelope(e.signed().entryBytes(), e.signed().signature(), other),
        RejectReason.CONTENT_HASH_MISMATCH);
    byte[] longer = post("hello!").toByteArray();
    assertReject(
        EntryCodec.encodeEnvelope(e.signed().entryBytes(), e.signed().signature(), longer),
        RejectReason.CONTENT_SIZE_MISMATCH);
  }

  @Test
  void validate_headerWithUnknownField_nonCanonical() {
    assertResignedReject(
        b ->
            b.setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(15, UnknownFieldSet.Field.newBuilder().addVarint(1).build())
                    .build()),
        RejectReason.NON_CANONICAL_ENTRY);
  }

  @Test
  void validate_headerFieldsOutOfOrder_nonCanonical() {
    LogEntry e = log.append(post("x"), T0_MILLIS);
    byte[] canonical = e.signed().entryBytes();
    // Move the leading version field (08 01) to the end: same message, another encoding.
    byte[] reordered = new byte[canonical.length];
    System.arraycopy(canonical, 2, reordered, 0, canonical.length - 2);
    reordered[canonical.length - 2] = 0x08;
    reordered[canonical.length - 1] = 0x01;
    byte[] sig = laptop.sign(EntryCodec.signingMessage(reordered));
    assertReject(EntryCodec.encodeEnvelope(reordered, sig, null), RejectReason.NON_CANONICAL_ENTRY);
  }

  @Test
  void validate_headerFieldRules_eachRejectedWithItsReason() {
    assertResignedReject(b -> b.setVersion(2), RejectReason.UNSUPPORTED_VERSION);
    assertResignedReject(
        b -> b.setIdentity(ByteString.copyFrom(new byte[31])), RejectReason.BAD_KEY);
    assertResignedReject(b -> b.setSeq(0), RejectReason.BAD_SEQ);
    assertResignedReject(b -> b.setSeq(-1), RejectReason.BAD_SEQ);
    assertResignedReject(b -> b.setPrev(ByteString.copyFrom(new byte[32])), RejectReason.BAD_PREV);
    assertResignedReject(b -> b.setSeq(2), RejectReason.BAD_PREV);
    assertResignedReject(b -> b.setTimestampMs(-5), RejectReason.BAD_TIMESTAMP);
    assertResignedReject(b -> b.setKindValue(0), RejectReason.BAD_KIND);
    assertResignedReject(
        b -> b.setContentHash(ByteString.copyFrom(new byte[5])), RejectReason.MALFORMED_ENTRY);
    assertResignedReject(
        b -> b.setContentSize(Limits.MAX_CONTENT_BYTES + 1), RejectReason.CONTENT_TOO_LARGE);
    assertResignedReject(
        b -> b.setKindValue(ContentKind.DELEGATE_DEVICE.number()),
        RejectReason.KIND_NOT_ALLOWED_IN_LOG);
  }

  @Test
  void validate_postInRootLog_kindNotAllowed() {
    // The writer refuses this, so forge it by hand with the root key.
    LogEntry e = log.append(post("x"), T0_MILLIS);
    Entry.Builder b = parse(e).toBuilder().setAuthor(TestAuthors.bytes(alice.root.publicKey()));
    byte[] bytes = b.build().toByteArray();
    byte[] sig = alice.root.sign(EntryCodec.signingMessage(bytes));
    assertReject(EntryCodec.encodeEnvelope(bytes, sig, null), RejectReason.KIND_NOT_ALLOWED_IN_LOG);
  }

  @Test
  void validate_contentRules_eachRejectedWithItsReason() {
    assertContentReject(
        Content.newBuilder()
            .setReaction(Reaction.newBuilder().setTarget(ref()).setEmoji("👍"))
            .build(),
        ContentKind.POST,
        RejectReason.KIND_MISMATCH);
    assertContentReject(
        post("x".repeat(Limits.MAX_POST_TEXT_BYTES + 1)),
        ContentKind.POST,
        RejectReason.FIELD_TOO_LARGE);
    assertContentReject(
        post("é".repeat(Limits.MAX_POST_TEXT_BYTES / 2 + 1)),
        ContentKind.POST,
        RejectReason.FIELD_TOO_LARGE);
    assertContentReject(
        Content.newBuilder()
            .setFollow(Follow.newBuilder().setIdentity(ByteString.copyFrom(new byte[3])))
            .build(),
        ContentKind.FOLLOW,
        RejectReason.BAD_REFERENCE);
    Post.Builder many = Post.newBuilder().setText("hi");
    for (int i = 0; i <= Limits.MAX_MENTIONS; i++) {
      many.addMentions(TestAuthors.bytes(alice.root.publicKey()));
    }
    assertContentReject(
        Content.newBuilder().setPost(many).build(), ContentKind.POST, RejectReason.FIELD_TOO_LARGE);
    assertContentReject(
        Content.newBuilder().setReaction(Reaction.newBuilder().setTarget(ref())).build(),
        ContentKind.REACTION,
        RejectReason.MALFORMED_CONTENT);
  }

  @Test
  void validate_invalidUtf8Text_malformedContent() {
    byte[] bad = {0x0a, 0x03, 0x0a, 0x01, (byte) 0xc3}; // Post { text: <truncated UTF-8> }
    assertContentReject(bad, ContentKind.POST, RejectReason.MALFORMED_CONTENT);
  }

  @Test
  void attachContent_laterArrivingContent_checkedAgainstHash() {
    LogEntry e = log.append(post("later"), T0_MILLIS);
    assertThat(validator.attachContent(e.signed(), post("later").toByteArray()))
        .isInstanceOf(Verification.Valid.class);
    assertThat(validator.attachContent(e.signed(), post("LATER").toByteArray()))
        .isEqualTo(validator.attachContent(e.signed(), post("LATER").toByteArray()))
        .matches(
            v ->
                v instanceof Verification.Invalid i
                    && i.reason() == RejectReason.CONTENT_HASH_MISMATCH);
  }

  private Ref ref() {
    return Ref.newBuilder()
        .setIdentity(TestAuthors.bytes(alice.root.publicKey()))
        .setEntry(ByteString.copyFrom(new byte[32]))
        .build();
  }

  /** Signs a header of the given kind over arbitrary content bytes, as a malicious writer could. */
  private void assertContentReject(byte[] content, ContentKind kind, RejectReason reason) {
    LogEntry template = log.append(post("template"), T0_MILLIS);
    Entry header =
        parse(template).toBuilder()
            .setKindValue(kind.number())
            .setContentHash(ByteString.copyFrom(org.grapevine.protocol.crypto.Sha256.hash(content)))
            .setContentSize(content.length)
            .build();
    byte[] bytes = header.toByteArray();
    assertReject(
        EntryCodec.encodeEnvelope(bytes, laptop.sign(EntryCodec.signingMessage(bytes)), content),
        reason);
  }

  private void assertContentReject(Content content, ContentKind kind, RejectReason reason) {
    assertContentReject(content.toByteArray(), kind, reason);
  }

  private void assertResignedReject(UnaryOperator<Entry.Builder> change, RejectReason reason) {
    LogEntry e = alice.deviceLog(laptop).append(post("x"), T0_MILLIS);
    byte[] bytes = change.apply(parse(e).toBuilder()).build().toByteArray();
    byte[] sig = laptop.sign(EntryCodec.signingMessage(bytes));
    assertReject(EntryCodec.encodeEnvelope(bytes, sig, null), reason);
  }

  private static Entry parse(LogEntry e) {
    try {
      return Entry.parseFrom(e.signed().entryBytes());
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }

  private void assertReject(byte[] envelope, RejectReason reason) {
    Verification v = validator.validate(envelope);
    assertThat(v).isInstanceOf(Verification.Invalid.class);
    assertThat(((Verification.Invalid) v).reason())
        .as(((Verification.Invalid) v).detail())
        .isEqualTo(reason);
    assertThat(((Verification.Invalid) v).detail()).isNotBlank();
  }

  @Test
  void envelope_unknownFieldInEnvelope_ignoredForForwardCompatibility() throws Exception {
    LogEntry e = log.append(post("x"), T0_MILLIS);
    byte[] withExtra =
        Envelope.parseFrom(e.toEnvelopeBytes()).toBuilder()
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(9, UnknownFieldSet.Field.newBuilder().addVarint(7).build())
                    .build())
            .build()
            .toByteArray();
    assertThat(validator.validate(withExtra)).isInstanceOf(Verification.Valid.class);
  }
}
