package org.grapevine.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.Varint;

/**
 * multistream-select 1.0 messages (spec: multiformats/multistream-select README).
 *
 * <pre>
 * +----------------+----------------------+------+
 * | uvarint(len)   | UTF-8 text           | '\n' |    len counts the text and the '\n'
 * +----------------+----------------------+------+
 *   13 "/multistream/1.0.0\n"   07 "/noise\n"   03 "na\n"
 * </pre>
 *
 * Limits as js-libp2p enforces them: a message of at most {@value #MAX_MESSAGE_BYTES} bytes and a
 * length prefix of at most {@value #MAX_LENGTH_PREFIX_BYTES} bytes. Pure functions over {@link
 * ByteBuf}; the caller owns every buffer passed in.
 */
public final class MultistreamCodec {
  /** The header both sides send first. */
  public static final String PROTOCOL_ID = "/multistream/1.0.0";

  /** The responder's "not available" answer. */
  public static final String NA = "na";

  /** A request for the responder's protocol list. */
  public static final String LS = "ls";

  /** Largest message, counting the trailing newline but not the length prefix. */
  public static final int MAX_MESSAGE_BYTES = 1024;

  /** A 2-byte varint holds 16383, far above the message limit; longer prefixes are garbage. */
  public static final int MAX_LENGTH_PREFIX_BYTES = 2;

  private MultistreamCodec() {}

  /**
   * Appends one message.
   *
   * @throws IllegalArgumentException if {@code text} is empty, holds a newline or is too long
   */
  public static void write(ByteBuf out, String text) {
    byte[] utf8 = checkedUtf8(text);
    Varint.write(out, utf8.length + 1);
    out.writeBytes(utf8);
    out.writeByte('\n');
  }

  /**
   * Appends the answer to {@code ls}: one message whose body lists each protocol as its own
   * length-prefixed, newline-terminated entry, followed by a final newline. Protocols that would
   * push the message past {@link #MAX_MESSAGE_BYTES} are left out.
   */
  public static void writeList(ByteBuf out, List<String> protocols) {
    ByteBuf body = out.alloc().buffer();
    try {
      for (String protocol : protocols) {
        byte[] utf8 = checkedUtf8(protocol);
        int entryBytes = Varint.size(utf8.length + 1) + utf8.length + 1;
        if (body.readableBytes() + entryBytes + 1 > MAX_MESSAGE_BYTES) {
          break;
        }
        Varint.write(body, utf8.length + 1);
        body.writeBytes(utf8);
        body.writeByte('\n');
      }
      body.writeByte('\n');
      Varint.write(out, body.readableBytes());
      out.writeBytes(body);
    } finally {
      body.release();
    }
  }

  /**
   * Reads one whole message and returns its text without the newline, or returns null (leaving the
   * reader index alone) if {@code in} does not yet hold a whole message.
   *
   * @throws MalformedFrameException for an overlong length prefix or message, a message without its
   *     trailing newline, or text that is not UTF-8
   */
  public static String read(ByteBuf in) throws MalformedFrameException {
    int start = in.readerIndex();
    if (in.readableBytes() >= MAX_LENGTH_PREFIX_BYTES
        && (in.getByte(start) & 0x80) != 0
        && (in.getByte(start + 1) & 0x80) != 0) {
      throw new MalformedFrameException(
          FrameError.BAD_VARINT,
          "multistream length prefix longer than " + MAX_LENGTH_PREFIX_BYTES + " bytes");
    }
    long length = Varint.read(in, MAX_MESSAGE_BYTES);
    if (length < 0) {
      return null;
    }
    if (length == 0) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "empty multistream message (no newline)");
    }
    if (in.readableBytes() < length) {
      in.readerIndex(start);
      return null;
    }
    int textBytes = (int) length - 1;
    if (in.getByte(in.readerIndex() + textBytes) != '\n') {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "multistream message does not end with a newline");
    }
    String text = decodeUtf8(in.nioBuffer(in.readerIndex(), textBytes));
    in.skipBytes((int) length);
    return text;
  }

  private static String decodeUtf8(ByteBuffer bytes) throws MalformedFrameException {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedFrameException(
          FrameError.BAD_ENCODING, "multistream message is not valid UTF-8");
    }
  }

  private static byte[] checkedUtf8(String text) {
    if (text.isEmpty() || text.indexOf('\n') >= 0) {
      throw new IllegalArgumentException(
          "a multistream message must be non-empty and hold no newline: \"" + text + "\"");
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (utf8.length + 1 > MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "multistream message of " + utf8.length + " bytes exceeds " + MAX_MESSAGE_BYTES);
    }
    return utf8;
  }
}
