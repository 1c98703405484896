package org.grapevine.libp2p.mdns;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;

/**
 * DNS messages to and from bytes (RFC 1035 §4.1, with the mDNS details of RFC 6762 §18). Pure
 * functions; the caller owns every buffer.
 *
 * <pre>
 * header (12 bytes)          question                       resource record
 * +----+-------+             +------+------+-------+        +------+------+-------+-----+-------+-------+
 * | id | flags |             | name | type | class |        | name | type | class | ttl | rdlen | rdata |
 * | qd | an    |             |  *   |  2   |   2   |        |  *   |  2   |   2   |  4  |   2   | rdlen |
 * | ns | ar    |             +------+------+-------+        +------+------+-------+-----+-------+-------+
 * +----+-------+  (2 bytes each)
 * name  = label* ( 0x00 | pointer )   label = len (1..63) || bytes   pointer = 11 || offset (14 bits)
 * TXT   = ( len (1 byte) || bytes )*  A = 4 bytes   AAAA = 16 bytes   PTR = name
 * </pre>
 *
 * <p>Limits on decode, each a {@link MalformedFrameException}: at most {@value #MAX_PACKET_BYTES}
 * bytes (RFC 6762 §17), {@value #MAX_QUESTIONS} questions, {@value #MAX_RECORDS} records in all,
 * names of at most {@link DnsName#MAX_WIRE_BYTES} bytes with labels of at most 63; a compression
 * pointer must point strictly before the name it is part of, so pointer chains always end. No
 * trailing bytes are allowed. Names are written uncompressed (our messages are small); the encoder
 * refuses to write more than {@value #MAX_PACKET_BYTES} bytes.
 */
public final class DnsMessageCodec {
  public static final int MAX_PACKET_BYTES = 9000;
  public static final int MAX_QUESTIONS = 64;
  public static final int MAX_RECORDS = 256;
  static final int HEADER_BYTES = 12;
  private static final int CACHE_FLUSH = 0x8000;

  private DnsMessageCodec() {}

  /** Decodes the readable bytes of {@code in} (one UDP payload) and consumes them. */
  public static DnsMessage decode(ByteBuf in) throws MalformedFrameException {
    int n = in.readableBytes();
    if (n > MAX_PACKET_BYTES) {
      throw new MalformedFrameException(
          FrameError.TOO_LARGE, "DNS message of " + n + " bytes exceeds " + MAX_PACKET_BYTES);
    }
    byte[] bytes = new byte[n];
    in.readBytes(bytes);
    return new Reader(bytes).message();
  }

  /** Appends the wire form of {@code message} to {@code out}. */
  public static void encode(DnsMessage message, ByteBuf out) {
    int start = out.writerIndex();
    out.writeShort(message.id())
        .writeShort(message.flags())
        .writeShort(message.questions().size())
        .writeShort(message.answers().size())
        .writeShort(message.authorities().size())
        .writeShort(message.additionals().size());
    for (DnsQuestion q : message.questions()) {
      writeName(q.name(), out);
      out.writeShort(q.type()).writeShort(q.dnsClass() | (q.unicastResponse() ? CACHE_FLUSH : 0));
    }
    for (List<DnsRecord> section :
        List.of(message.answers(), message.authorities(), message.additionals())) {
      for (DnsRecord r : section) {
        writeRecord(r, out);
      }
    }
    int written = out.writerIndex() - start;
    if (written > MAX_PACKET_BYTES) {
      out.writerIndex(start);
      throw new IllegalArgumentException(
          "DNS message of " + written + " bytes exceeds " + MAX_PACKET_BYTES);
    }
  }

  /** The encoded form as a new array. */
  public static byte[] encode(DnsMessage message) {
    ByteBuf buf = io.netty.buffer.Unpooled.buffer();
    try {
      encode(message, buf);
      byte[] out = new byte[buf.readableBytes()];
      buf.readBytes(out);
      return out;
    } finally {
      buf.release();
    }
  }

  private static void writeRecord(DnsRecord r, ByteBuf out) {
    writeName(r.name(), out);
    boolean unique = r instanceof DnsRecord.Txt || r instanceof DnsRecord.Address;
    out.writeShort(r.type())
        .writeShort(DnsRecord.CLASS_IN | (unique ? CACHE_FLUSH : 0))
        .writeInt((int) r.ttlSeconds());
    int lengthAt = out.writerIndex();
    out.writeShort(0);
    if (r instanceof DnsRecord.Ptr p) {
      writeName(p.target(), out);
    } else if (r instanceof DnsRecord.Txt t) {
      for (byte[] s : t.strings()) {
        out.writeByte(s.length).writeBytes(s);
      }
    } else if (r instanceof DnsRecord.Address a) {
      out.writeBytes(a.address().getAddress());
    } else {
      out.writeBytes(((DnsRecord.Other) r).rdata());
    }
    out.setShort(lengthAt, out.writerIndex() - lengthAt - 2);
  }

  private static void writeName(DnsName name, ByteBuf out) {
    for (String label : name.labels()) {
      byte[] b = label.getBytes(StandardCharsets.UTF_8);
      out.writeByte(b.length).writeBytes(b);
    }
    out.writeByte(0);
  }

  /** One pass over one packet; {@code pos} is the next byte to read. */
  private static final class Reader {
    private final byte[] b;
    private int pos;

    Reader(byte[] bytes) {
      this.b = bytes;
    }

    DnsMessage message() throws MalformedFrameException {
      need(HEADER_BYTES, "header");
      int id = u16();
      int flags = u16();
      int qd = u16();
      int an = u16();
      int ns = u16();
      int ar = u16();
      if (qd > MAX_QUESTIONS) {
        throw new MalformedFrameException(
            FrameError.TOO_LARGE,
            "DNS message with " + qd + " questions (at most " + MAX_QUESTIONS + ")");
      }
      if (an + ns + ar > MAX_RECORDS) {
        throw new MalformedFrameException(
            FrameError.TOO_LARGE,
            "DNS message with " + (an + ns + ar) + " records (at most " + MAX_RECORDS + ")");
      }
      List<DnsQuestion> questions = new ArrayList<>(qd);
      for (int i = 0; i < qd; i++) {
        DnsName name = name();
        need(4, "question type and class");
        int type = u16();
        int klass = u16();
        questions.add(
            new DnsQuestion(name, type, klass & ~CACHE_FLUSH, (klass & CACHE_FLUSH) != 0));
      }
      List<DnsRecord> answers = records(an);
      List<DnsRecord> authorities = records(ns);
      List<DnsRecord> additionals = records(ar);
      if (pos != b.length) {
        throw new MalformedFrameException(
            FrameError.PROTOCOL_VIOLATION, (b.length - pos) + " bytes after the last DNS record");
      }
      return new DnsMessage(id, flags, questions, answers, authorities, additionals);
    }

    private List<DnsRecord> records(int count) throws MalformedFrameException {
      List<DnsRecord> out = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        out.add(record());
      }
      return out;
    }

    private DnsRecord record() throws MalformedFrameException {
      DnsName name = name();
      need(10, "record header");
      int type = u16();
      int klass = u16() & ~CACHE_FLUSH;
      long ttl = u16() * 65536L + u16();
      int length = u16();
      need(length, "rdata");
      int end = pos + length;
      if (klass != DnsRecord.CLASS_IN) {
        return other(name, type, ttl, end);
      }
      switch (type) {
        case DnsRecord.TYPE_PTR -> {
          DnsName target = name();
          if (pos != end) {
            throw new MalformedFrameException(
                FrameError.BAD_ENCODING,
                "PTR rdata of " + length + " bytes holds a name of another length");
          }
          return new DnsRecord.Ptr(name, ttl, target);
        }
        case DnsRecord.TYPE_TXT -> {
          List<byte[]> strings = new ArrayList<>();
          while (pos < end) {
            int n = b[pos++] & 0xFF;
            if (pos + n > end) {
              throw new MalformedFrameException(
                  FrameError.TRUNCATED, "TXT string of " + n + " bytes runs past its rdata");
            }
            strings.add(java.util.Arrays.copyOfRange(b, pos, pos + n));
            pos += n;
          }
          return new DnsRecord.Txt(name, ttl, strings);
        }
        case DnsRecord.TYPE_A, DnsRecord.TYPE_AAAA -> {
          int expected = type == DnsRecord.TYPE_A ? 4 : 16;
          if (length != expected) {
            throw new MalformedFrameException(
                FrameError.BAD_ENCODING,
                (type == DnsRecord.TYPE_A ? "A" : "AAAA")
                    + " rdata of "
                    + length
                    + " bytes (must be "
                    + expected
                    + ")");
          }
          pos = end;
          return new DnsRecord.Address(
              name, ttl, address(java.util.Arrays.copyOfRange(b, end - length, end)));
        }
        default -> {
          return other(name, type, ttl, end);
        }
      }
    }

    private DnsRecord other(DnsName name, int type, long ttl, int end) {
      byte[] rdata = java.util.Arrays.copyOfRange(b, pos, end);
      pos = end;
      return new DnsRecord.Other(name, type, ttl, rdata);
    }

    /**
     * A possibly compressed name starting at {@code pos}; {@code pos} ends after the name's first
     * pointer or its final zero. Every pointer must point strictly before the start of the run of
     * labels it ends, so each jump goes backwards and the walk terminates.
     */
    private DnsName name() throws MalformedFrameException {
      List<String> labels = new ArrayList<>();
      int wire = 1;
      int at = pos;
      int runStart = pos;
      int resume = -1;
      while (true) {
        if (at >= b.length) {
          throw new MalformedFrameException(
              FrameError.TRUNCATED, "DNS name runs past the end of the message");
        }
        int len = b[at] & 0xFF;
        if (len == 0) {
          at++;
          break;
        }
        int kind = len & 0xC0;
        if (kind == 0xC0) {
          if (at + 1 >= b.length) {
            throw new MalformedFrameException(
                FrameError.TRUNCATED, "DNS name pointer cut off at the end of the message");
          }
          int target = ((len & 0x3F) << 8) | (b[at + 1] & 0xFF);
          if (target >= runStart) {
            throw new MalformedFrameException(
                FrameError.BAD_ENCODING,
                "DNS name pointer to " + target + " does not point backwards (from " + at + ")");
          }
          if (resume < 0) {
            resume = at + 2;
          }
          at = target;
          runStart = target;
          continue;
        }
        if (kind != 0) {
          throw new MalformedFrameException(
              FrameError.UNSUPPORTED,
              "DNS label type 0x" + Integer.toHexString(kind) + " is not supported");
        }
        wire += 1 + len;
        if (wire > DnsName.MAX_WIRE_BYTES) {
          throw new MalformedFrameException(
              FrameError.TOO_LARGE, "DNS name longer than " + DnsName.MAX_WIRE_BYTES + " bytes");
        }
        if (at + 1 + len > b.length) {
          throw new MalformedFrameException(
              FrameError.TRUNCATED, "DNS label runs past the end of the message");
        }
        labels.add(new String(b, at + 1, len, StandardCharsets.UTF_8));
        at += 1 + len;
      }
      pos = resume >= 0 ? resume : at;
      return toName(labels);
    }

    /**
     * A label of invalid UTF-8 may decode to more bytes than it had (U+FFFD is 3 bytes); refuse it
     * then.
     */
    private static DnsName toName(List<String> labels) throws MalformedFrameException {
      try {
        return new DnsName(labels);
      } catch (IllegalArgumentException e) {
        throw new MalformedFrameException(
            FrameError.BAD_ENCODING,
            "DNS name is not valid UTF-8 within the limits: " + e.getMessage());
      }
    }

    private static InetAddress address(byte[] raw) {
      try {
        return InetAddress.getByAddress(raw);
      } catch (UnknownHostException e) {
        throw new IllegalStateException("4 or 16 bytes are always an address", e);
      }
    }

    private void need(int n, String what) throws MalformedFrameException {
      if (b.length - pos < n) {
        throw new MalformedFrameException(
            FrameError.TRUNCATED,
            "DNS message ends inside the "
                + what
                + " ("
                + (b.length - pos)
                + " of "
                + n
                + " bytes)");
      }
    }

    private int u16() {
      int v = ((b[pos] & 0xFF) << 8) | (b[pos + 1] & 0xFF);
      pos += 2;
      return v;
    }
  }
}
