package org.grapevine.protocol;

/**
 * Every size and time limit of the Grapevine wire format, in one place.
 *
 * <p>Readers reject input over these limits before doing any expensive work; writers refuse to
 * produce it. Changing a limit changes what the network accepts: raise limits only together with
 * the protocol version, never lower them silently.
 */
public final class Limits {
  private Limits() {}

  /** Ed25519 public keys (identities and device keys). */
  public static final int PUBLIC_KEY_BYTES = 32;

  /** Ed25519 private key seeds. */
  public static final int PRIVATE_SEED_BYTES = 32;

  /** Ed25519 signatures. */
  public static final int SIGNATURE_BYTES = 64;

  /** SHA-256: entry ids, content hashes, attachment hashes. */
  public static final int HASH_BYTES = 32;

  /**
   * An encoded Entry header. A canonical v1 header with every field at its widest is 175 bytes; the
   * slack leaves room for nothing else, because unknown fields are not allowed in v1.
   */
  public static final int MAX_ENTRY_BYTES = 256;

  /** The content bytes of one entry. Attachments travel outside the log, by hash. */
  public static final int MAX_CONTENT_BYTES = 16 * 1024;

  /** An encoded Envelope: header, signature and content with their protobuf framing. */
  public static final int MAX_ENVELOPE_BYTES =
      MAX_ENTRY_BYTES + SIGNATURE_BYTES + MAX_CONTENT_BYTES + 16;

  /**
   * The delegation proof in an {@code Addressed} message: a root-log envelope whose content is a
   * DelegateDevice (a key and a device name of at most {@link #MAX_DEVICE_NAME_BYTES}), well under
   * this with its header and signature.
   */
  public static final int MAX_DELEGATION_PROOF_BYTES = 512;

  /** An encoded {@code Addressed} message: an envelope and a delegation proof, with framing. */
  public static final int MAX_ADDRESSED_BYTES =
      MAX_ENVELOPE_BYTES + MAX_DELEGATION_PROOF_BYTES + 16;

  /** Post text, in UTF-8 bytes (about 2,000 characters of most scripts). */
  public static final int MAX_POST_TEXT_BYTES = 8 * 1024;

  /**
   * A post's content warning, in UTF-8 bytes: a short line shown instead of the folded text, not a
   * second text.
   */
  public static final int MAX_CONTENT_WARNING_BYTES = 512;

  /** Identities mentioned in one post. */
  public static final int MAX_MENTIONS = 50;

  /** Attachments of one post. */
  public static final int MAX_ATTACHMENTS = 16;

  /** An attachment's declared size. Nodes apply their own, usually smaller, caps. */
  public static final long MAX_ATTACHMENT_SIZE_BYTES = 1L << 30;

  /** An attachment's media type, for example "image/jpeg". */
  public static final int MAX_MEDIA_TYPE_BYTES = 127;

  /** An attachment's alt text (Mastodon allows 1,500 characters; this is in UTF-8 bytes). */
  public static final int MAX_ALT_TEXT_BYTES = 1500;

  /** Multicodec of an attachment whose hash is the whole file's (one raw block). */
  public static final int ATTACHMENT_CODEC_RAW = 0x55;

  /** Multicodec of an attachment whose hash names a UnixFS (dag-pb) file node over raw leaves. */
  public static final int ATTACHMENT_CODEC_DAG_PB = 0x70;

  /** A reaction: one emoji, possibly a long ZWJ sequence. */
  public static final int MAX_EMOJI_BYTES = 64;

  /** A profile's display name. */
  public static final int MAX_PROFILE_NAME_BYTES = 128;

  /** A profile's biography. */
  public static final int MAX_PROFILE_BIO_BYTES = 2 * 1024;

  /** A device's name in its delegation. */
  public static final int MAX_DEVICE_NAME_BYTES = 64;

  /** A feed's name (Feed.name), in UTF-8 bytes. */
  public static final int MAX_FEED_NAME_BYTES = 64;

  /** A feed's description (Feed.description), in UTF-8 bytes. */
  public static final int MAX_FEED_DESCRIPTION_BYTES = 1024;

  /** Each of a feed's CEL expressions (Feed.filter, Feed.score), in UTF-8 bytes. */
  public static final int MAX_FEED_EXPRESSION_BYTES = 4 * 1024;

  /**
   * How far in the future an entry's timestamp may be, by the reader's clock. Ten minutes tolerates
   * laptops with unsynchronised clocks while keeping "scheduled" posts out of timelines.
   */
  public static final long MAX_CLOCK_SKEW_MILLIS = 10 * 60 * 1000L;
}
