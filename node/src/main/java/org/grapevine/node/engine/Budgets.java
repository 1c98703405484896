package org.grapevine.node.engine;

import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;

/**
 * Local storage policy (docs/ARCHITECTURE.md "Budgets"): how much of other people's content this
 * node keeps, and how large an attachment it takes. Budgets are this node's choice, never a
 * protocol rule, so they never make an entry invalid: what they refuse is disk, not history.
 *
 * <ul>
 *   <li>{@code identityQuotaBytes}: content bytes kept per identity over all its logs, as {@code
 *       PostStore.storedBytes} counts them. An entry received while its identity is at the quota is
 *       still appended to the chain, without its content (as after a delete); see {@link Engine}
 *       for why.
 *   <li>{@code attachmentMaxBytes}: the largest attachment (post attachment, profile avatar) this
 *       node stores, fetches or lets its own user declare. Attachments travel outside the log, by
 *       hash; a received entry that declares a larger one is stored with its content (the content
 *       itself is at most {@code Limits.MAX_CONTENT_BYTES}), and the outcome says the attachment is
 *       over the cap, so it is never fetched. Own content over the cap is refused before signing
 *       ({@link #checkOwn}).
 *   <li>{@code addressed}: how many addressed entries of strangers (issue 15) this node stores
 *       loose, per writer and per addressee ({@link LooseLimits}).
 * </ul>
 *
 * @param identityQuotaBytes at least 0
 * @param attachmentMaxBytes at least 0
 */
public record Budgets(
    long identityQuotaBytes, long attachmentMaxBytes, LooseLimits.Config addressed) {
  /** 256 MiB of content per identity (16k full-size entries), attachments up to 1 MiB. */
  public static final Budgets DEFAULT = new Budgets(256L << 20, 1L << 20);

  /** No limits: for tests and tools. */
  public static final Budgets UNLIMITED = new Budgets(Long.MAX_VALUE, Long.MAX_VALUE);

  /** Budgets with the default limits of addressed entries ({@link LooseLimits.Config#DEFAULT}). */
  public Budgets(long identityQuotaBytes, long attachmentMaxBytes) {
    this(identityQuotaBytes, attachmentMaxBytes, LooseLimits.Config.DEFAULT);
  }

  public Budgets {
    java.util.Objects.requireNonNull(addressed, "addressed");
    if (identityQuotaBytes < 0 || attachmentMaxBytes < 0) {
      throw new IllegalArgumentException(
          "budgets must not be negative: quota "
              + identityQuotaBytes
              + ", attachment cap "
              + attachmentMaxBytes);
    }
  }

  /**
   * Whether one more entry of {@code contentBytes} fits an identity that holds {@code usedBytes}.
   */
  public boolean fitsQuota(long usedBytes, long contentBytes) {
    return usedBytes <= identityQuotaBytes && contentBytes <= identityQuotaBytes - usedBytes;
  }

  /** Whether this node takes an attachment of {@code sizeBytes}. */
  public boolean allowsAttachment(long sizeBytes) {
    return sizeBytes <= attachmentMaxBytes;
  }

  /**
   * Refuses content this node's user may not post: an attachment over the cap.
   *
   * @throws BudgetExceededException naming the attachment and the cap (the caller's fault)
   */
  public void checkOwn(Content content) {
    long largest = largestAttachmentBytes(content);
    if (!allowsAttachment(largest)) {
      throw new BudgetExceededException(
          "an attachment of "
              + largest
              + " bytes is over this node's cap of "
              + attachmentMaxBytes
              + " bytes");
    }
  }

  /** The largest attachment the content declares (post attachments, profile avatar); 0 if none. */
  public static long largestAttachmentBytes(Content content) {
    long largest = 0;
    if (content.hasPost()) {
      for (Attachment a : content.getPost().getAttachmentsList()) {
        largest = Math.max(largest, size(a));
      }
    }
    if (content.hasProfile() && content.getProfile().hasAvatar()) {
      largest = Math.max(largest, size(content.getProfile().getAvatar()));
    }
    return largest;
  }

  /** uint64 sizes above 2^63 read as negative in Java: as large as it gets. */
  private static long size(Attachment a) {
    return a.getSize() < 0 ? Long.MAX_VALUE : a.getSize();
  }
}
