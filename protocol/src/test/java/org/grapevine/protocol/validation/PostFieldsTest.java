package org.grapevine.protocol.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import org.grapevine.protocol.Limits;
import org.grapevine.protocol.entry.EntryHeader;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.grapevine.protocol.proto.Ref;
import org.grapevine.protocol.proto.ReplyTo;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.testing.TestContent;
import org.junit.jupiter.api.Test;

/**
 * Issue 15's Post fields, content_warning (5) and quote (6): bounded and checked like the fields
 * before them, and kept byte for byte by a reader that does not know them.
 */
class PostFieldsTest {
  private final TestAuthors.Person alice = TestAuthors.person("alice");
  private final LogWriter log = alice.deviceLog(alice.deviceKey("laptop"));
  private final LogEntry first = log.append(TestAuthors.post("first"), T0_MILLIS);
  private final EntryHeader postHeader = first.header();

  @Test
  void check_warningAndQuoteWithinBounds_valid() {
    assertThat(ContentRules.check(postHeader, TestContent.quote("about this", first))).isNull();
    assertThat(
            ContentRules.check(
                postHeader,
                TestContent.warned("é".repeat(Limits.MAX_CONTENT_WARNING_BYTES / 2), "text")))
        .isNull();
    // A writer signs it too (LogWriter runs the same rules).
    LogEntry both =
        log.append(
            Content.newBuilder()
                .setPost(
                    TestContent.quote("q", first).getPost().toBuilder().setContentWarning("cw"))
                .build(),
            T0_MILLIS + 1);
    assertThat(both.content().orElseThrow().getPost().getContentWarning()).isEqualTo("cw");
  }

  @Test
  void check_oversizeWarning_fieldTooLargeNamingTheWarning() {
    Verification.Invalid bad =
        ContentRules.check(
            postHeader, TestContent.warned("x".repeat(Limits.MAX_CONTENT_WARNING_BYTES + 1), "t"));

    assertThat(bad.reason()).isEqualTo(RejectReason.FIELD_TOO_LARGE);
    assertThat(bad.detail())
        .isEqualTo(
            "content warning is "
                + (Limits.MAX_CONTENT_WARNING_BYTES + 1)
                + " bytes, at most "
                + Limits.MAX_CONTENT_WARNING_BYTES);
  }

  @Test
  void check_attachmentAltText_boundedAndAnyCodecAccepted() {
    Attachment ok =
        Attachment.newBuilder()
            .setHash(ByteString.copyFrom(new byte[Limits.HASH_BYTES]))
            .setSize(10)
            .setMediaType("image/png")
            .setCodec(Limits.ATTACHMENT_CODEC_DAG_PB)
            .setAlt("é".repeat(Limits.MAX_ALT_TEXT_BYTES / 2))
            .build();
    // A codec this version does not know is kept: the node shows the file as unfetchable.
    Attachment future = ok.toBuilder().setCodec(0x71).build();
    Attachment long_ = ok.toBuilder().setAlt("x".repeat(Limits.MAX_ALT_TEXT_BYTES + 1)).build();

    assertThat(check(Post.newBuilder().setText("p").addAttachments(ok))).isNull();
    assertThat(check(Post.newBuilder().setText("p").addAttachments(future))).isNull();
    Verification.Invalid bad = check(Post.newBuilder().setText("p").addAttachments(long_));
    assertThat(bad.reason()).isEqualTo(RejectReason.FIELD_TOO_LARGE);
    assertThat(bad.detail())
        .isEqualTo(
            "attachment alt text is "
                + (Limits.MAX_ALT_TEXT_BYTES + 1)
                + " bytes, at most "
                + Limits.MAX_ALT_TEXT_BYTES);
  }

  @Test
  void check_quoteRefOfWrongLength_badReferenceLikeAReplyRef() {
    Ref shortId =
        TestContent.ref(first).toBuilder().setEntry(ByteString.copyFrom(new byte[31])).build();
    Ref shortKey =
        TestContent.ref(first).toBuilder().setIdentity(ByteString.copyFrom(new byte[3])).build();

    Verification.Invalid id = check(Post.newBuilder().setText("q").setQuote(shortId));
    Verification.Invalid key = check(Post.newBuilder().setText("q").setQuote(shortKey));
    Verification.Invalid reply =
        check(
            Post.newBuilder()
                .setText("r")
                .setReplyTo(ReplyTo.newBuilder().setRoot(shortId).setParent(shortId)));

    assertThat(id.reason()).isEqualTo(RejectReason.BAD_REFERENCE).isEqualTo(reply.reason());
    assertThat(id.detail()).isEqualTo("quote entry id is 31 bytes, must be 32");
    assertThat(key.detail()).isEqualTo("quote identity is 3 bytes, must be 32");
  }

  @Test
  void newFields_parsedAsUnknownFields_reEncodeToTheSameBytes() throws Exception {
    byte[] bytes =
        Content.newBuilder()
            .setPost(TestContent.quote("q", first).getPost().toBuilder().setContentWarning("cw"))
            .build()
            .toByteArray();
    // A reader without fields 5 and 6 holds them as unknown fields, as protobuf does for any
    // field it does not know; re-encoding gives the same bytes, so the content hash still matches
    // and forwarded content is unchanged. Such a reader shows the text unfolded, without a quote.
    UnknownFieldSet asUnknown =
        UnknownFieldSet.parseFrom(
            UnknownFieldSet.parseFrom(bytes).getField(1).getLengthDelimitedList().get(0));
    assertThat(asUnknown.hasField(5)).isTrue();
    assertThat(asUnknown.hasField(6)).isTrue();
    assertThat(UnknownFieldSet.parseFrom(bytes).toByteArray()).isEqualTo(bytes);
    assertThat(Content.parseFrom(bytes).toByteArray()).isEqualTo(bytes);
  }

  private Verification.Invalid check(Post.Builder post) {
    return ContentRules.check(postHeader, Content.newBuilder().setPost(post).build());
  }
}
