package org.grapevine.protocol.addressed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Addressed;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Envelope;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestAuthors.Person;
import org.grapevine.protocol.testing.TestContent;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.RejectReason;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;

class AddressedValidatorTest {
  private static final long T = TestAuthors.T0_MILLIS;
  private final AddressedValidator validator = new AddressedValidator(new EntryValidator());

  private final Person bob = TestAuthors.person("bob");
  private final SigningKey bobPhone = bob.deviceKey("phone");
  private final LogEntry bobPost = bob.deviceLog(bobPhone).append(TestAuthors.post("hi"), T + 1);

  private final Person carol = TestAuthors.person("carol");
  private final SigningKey carolPhone = carol.deviceKey("phone");
  private final LogEntry carolDelegation = carol.delegate(carolPhone, T);
  private final LogWriter carolLog = carol.deviceLog(carolPhone);
  private final LogEntry carolReply = carolLog.append(TestContent.reply("hello", bobPost), T + 2);

  @Test
  void reply_withItsDelegation_isValid_andAddressesTheParentsAuthor() {
    Verification v = validator.validate(AddressedCodec.encode(carolReply, carolDelegation));
    assertThat(v).isInstanceOf(Verification.Valid.class);
    LogEntry e = ((Verification.Valid) v).entry();
    assertThat(e.id()).isEqualTo(carolReply.id());
    assertThat(Addressees.of(e.content().orElseThrow())).containsExactly(bob.identity);
    assertThat(Addressees.addresses(e.content().orElseThrow(), carol.identity)).isFalse();
  }

  @Test
  void addressees_coverMentionsReactionsRepostsFollows_notPlainPostsOrProfiles() {
    Content mention =
        Content.newBuilder()
            .setPost(
                Post.newBuilder()
                    .setText("hey")
                    .addMentions(TestAuthors.bytes(bob.identity.root()))
                    .addMentions(TestAuthors.bytes(carol.identity.root()))
                    .addMentions(TestAuthors.bytes(bob.identity.root())))
            .build();
    assertThat(Addressees.of(mention)).containsExactly(bob.identity, carol.identity);
    assertThat(Addressees.of(TestContent.reaction("👍", bobPost))).containsExactly(bob.identity);
    assertThat(Addressees.of(TestContent.repost(bobPost))).containsExactly(bob.identity);
    assertThat(Addressees.of(TestAuthors.post("alone"))).isEmpty();
    assertThat(Addressees.of(TestContent.profile("Carol"))).isEmpty();
    Content follow =
        Content.newBuilder()
            .setFollow(
                org.grapevine.protocol.proto.Follow.newBuilder()
                    .setIdentity(TestAuthors.bytes(bob.identity.root())))
            .build();
    assertThat(Addressees.of(follow)).containsExactly(bob.identity);
  }

  @Test
  void delegationOfAnotherDevice_isABadProof() {
    LogEntry otherDelegation = carol.delegate(carol.deviceKey("laptop"), T + 3);
    assertRefused(
        AddressedCodec.encode(carolReply, otherDelegation), RejectReason.BAD_DELEGATION_PROOF);
  }

  @Test
  void delegationByAnotherIdentity_isABadProof() {
    // Bob's root log delegating Carol's phone key proves nothing about Carol's identity.
    LogEntry forged = bob.delegate(carolPhone, T + 3);
    assertRefused(AddressedCodec.encode(carolReply, forged), RejectReason.BAD_DELEGATION_PROOF);
  }

  @Test
  void aDeviceEntryAsTheProof_isABadProof() {
    LogEntry notRoot = carolLog.append(TestAuthors.post("not a delegation"), T + 3);
    byte[] bytes =
        Addressed.newBuilder()
            .setEntry(envelope(carolReply))
            .setDelegation(envelope(notRoot))
            .build()
            .toByteArray();
    assertRefused(bytes, RejectReason.BAD_DELEGATION_PROOF);
  }

  @Test
  void entryWithoutContent_isRefused() {
    byte[] bytes =
        Addressed.newBuilder()
            .setEntry(envelope(carolReply.withoutContent()))
            .setDelegation(envelope(carolDelegation))
            .build()
            .toByteArray();
    assertRefused(bytes, RejectReason.BAD_DELEGATION_PROOF);
  }

  @Test
  void tamperedSignatures_areRefused() {
    Envelope good = envelope(carolReply);
    byte[] sig = good.getSignature().toByteArray();
    sig[0] ^= 1;
    byte[] badEntry =
        Addressed.newBuilder()
            .setEntry(good.toBuilder().setSignature(ByteString.copyFrom(sig)))
            .setDelegation(envelope(carolDelegation))
            .build()
            .toByteArray();
    assertRefused(badEntry, RejectReason.BAD_SIGNATURE);

    Envelope proof = envelope(carolDelegation);
    byte[] proofSig = proof.getSignature().toByteArray();
    proofSig[5] ^= 1;
    byte[] badProof =
        Addressed.newBuilder()
            .setEntry(good)
            .setDelegation(proof.toBuilder().setSignature(ByteString.copyFrom(proofSig)))
            .build()
            .toByteArray();
    assertRefused(badProof, RejectReason.BAD_DELEGATION_PROOF);
  }

  @Test
  void oversizeMissingPartsAndGarbage_areRefusedBeforeAnySignatureCheck() {
    assertRefused(new byte[Limits.MAX_ADDRESSED_BYTES + 1], RejectReason.ENVELOPE_TOO_LARGE);
    assertRefused(new byte[] {(byte) 0xff, 0x01}, RejectReason.MALFORMED_ENVELOPE);
    byte[] entryOnly = Addressed.newBuilder().setEntry(envelope(carolReply)).build().toByteArray();
    assertRefused(entryOnly, RejectReason.MALFORMED_ENVELOPE);
    byte[] hugeProof =
        Addressed.newBuilder()
            .setEntry(envelope(carolReply))
            .setDelegation(
                Envelope.newBuilder()
                    .setEntry(ByteString.copyFrom(new byte[Limits.MAX_DELEGATION_PROOF_BYTES])))
            .build()
            .toByteArray();
    assertRefused(hugeProof, RejectReason.BAD_DELEGATION_PROOF);
  }

  @Test
  void encode_refusesWhatTheWriterShouldNeverSend() {
    assertThatThrownBy(() -> AddressedCodec.encode(carolReply.withoutContent(), carolDelegation))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AddressedCodec.encode(carolDelegation, carolReply))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private void assertRefused(byte[] bytes, RejectReason reason) {
    Verification v = validator.validate(bytes);
    assertThat(v).isInstanceOf(Verification.Invalid.class);
    assertThat(((Verification.Invalid) v).reason()).as(v.toString()).isEqualTo(reason);
  }

  private static Envelope envelope(LogEntry e) {
    try {
      return Envelope.parseFrom(e.toEnvelopeBytes());
    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
      throw new AssertionError(ex);
    }
  }
}
