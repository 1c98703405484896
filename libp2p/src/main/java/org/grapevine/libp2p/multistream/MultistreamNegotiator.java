package org.grapevine.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.multistream.NegotiationEvent.Failed;
import org.grapevine.libp2p.multistream.NegotiationEvent.Selected;
import org.grapevine.libp2p.multistream.NegotiationEvent.Send;

/**
 * One multistream-select 1.0 negotiation, either role (spec: multiformats/multistream-select
 * README; libp2p-notes §6). Sans-I/O: no sockets, clocks or timers; the time comes in with every
 * input and the deadline goes out as data. Not thread-safe: confine to one event loop.
 *
 * <p>Call order (h11-shaped):
 *
 * <ol>
 *   <li>{@link #start} once with the time and the timeout; write what it returns (it may be empty),
 *       then arm a timer for {@link #pollTimeout}.
 *   <li>On every arrival of bytes, append them to one input buffer and call {@link #receive} with
 *       it until the event is {@code NeedData}, {@code Selected} or {@code Failed}; write each
 *       {@code Send} in order. {@code receive} consumes only whole messages, so the caller keeps a
 *       partial message in its buffer (as {@code ByteToMessageDecoder} does).
 *   <li>When the timer fires, call {@link #handleTimeout}: a {@code Failed} with {@link
 *       MultistreamErrorCode#TIMEOUT} once the deadline has passed, else nothing (re-arm from
 *       {@link #pollTimeout}). Input that arrives after the deadline fails the same way.
 *   <li>After {@code Selected} or {@code Failed} the negotiator is finished: {@link #pollTimeout}
 *       is empty, {@link #handleTimeout} does nothing, and {@link #receive} is a bug ({@link
 *       IllegalStateException}).
 * </ol>
 *
 * <p>Initiator: sends the header and its first proposal in one buffer (pipelined, as js does),
 * expects the responder's header first, then an echo (selected) or {@code na} (next proposal,
 * without repeating the header). Header and answer may come in one read or two.
 *
 * <p>Responder: waits for the initiator's header and answers with its own (unless configured to
 * send it eagerly, as go does), echoes the first supported proposal, answers {@code ls} with its
 * list and everything else with {@code na}, up to {@link MultistreamConfig#maxRejectedProposals}.
 * Bytes after an accepted proposal are the protocol's ("lazy" select) and come out as leftover.
 *
 * <p>Discrepancies: data pipelined after a proposal we refuse is parsed as further messages and so
 * almost always fails the negotiation as {@code MALFORMED}; the spec asks a responder to discard
 * it, but a lazy initiator cannot fall back after sending data, so the outcome (the stream ends) is
 * the same. A second header from the initiator is answered with {@code na}.
 */
public final class MultistreamNegotiator {
  private enum State {
    NEW,
    AWAIT_HEADER,
    AWAIT_ANSWER,
    AWAIT_PROPOSAL,
    SELECTING,
    DONE
  }

  private static final byte[] HEADER_BYTES = headerBytes();

  private final boolean initiator;
  private final List<String> proposals;
  private final Predicate<String> supported;
  private final List<String> listed;
  private final MultistreamConfig config;

  private State state = State.NEW;
  private int proposalIndex;
  private int rejected;
  private boolean headerSent;
  private String selected;
  private long deadlineNanos;
  private long timeoutNanos;

  private MultistreamNegotiator(
      boolean initiator,
      List<String> proposals,
      Predicate<String> supported,
      List<String> listed,
      MultistreamConfig config) {
    this.initiator = initiator;
    this.proposals = proposals;
    this.supported = supported;
    this.listed = listed;
    this.config = config;
  }

  /**
   * An initiator proposing {@code proposals} in order of preference.
   *
   * @throws IllegalArgumentException if the list is empty or a proposal cannot be a message
   */
  public static MultistreamNegotiator initiator(List<String> proposals) {
    List<String> copy = List.copyOf(proposals);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("an initiator needs at least one proposal");
    }
    copy.forEach(MultistreamNegotiator::checkProtocolId);
    return new MultistreamNegotiator(true, copy, p -> false, List.of(), MultistreamConfig.DEFAULT);
  }

  /** A responder accepting exactly {@code protocols}, which it also lists on {@code ls}. */
  public static MultistreamNegotiator responder(List<String> protocols, MultistreamConfig config) {
    List<String> copy = List.copyOf(protocols);
    copy.forEach(MultistreamNegotiator::checkProtocolId);
    return new MultistreamNegotiator(false, List.of(), copy::contains, copy, config);
  }

  /**
   * A responder accepting whatever {@code supported} accepts (e.g. versions by pattern) and listing
   * {@code listed} on {@code ls}.
   */
  public static MultistreamNegotiator responder(
      Predicate<String> supported, List<String> listed, MultistreamConfig config) {
    return new MultistreamNegotiator(
        false, List.of(), Objects.requireNonNull(supported), List.copyOf(listed), config);
  }

  public boolean isInitiator() {
    return initiator;
  }

  /** The chosen protocol once {@code Selected} was returned, else null. */
  public String selected() {
    return state == State.DONE ? selected : null;
  }

  /**
   * Begins the negotiation and returns the bytes to send first: the initiator's header and first
   * proposal, the eager responder's header, or an empty buffer. The negotiation must be over {@code
   * timeout} after {@code nowNanos}.
   */
  public ByteBuf start(ByteBufAllocator alloc, long nowNanos, Duration timeout) {
    if (state != State.NEW) {
      throw new IllegalStateException("start() called twice");
    }
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("negative timeout " + timeout);
    }
    state = State.AWAIT_HEADER;
    timeoutNanos = timeout.toNanos();
    deadlineNanos = nowNanos + timeoutNanos;
    if (initiator) {
      ByteBuf out = alloc.buffer();
      MultistreamCodec.write(out, MultistreamCodec.PROTOCOL_ID);
      MultistreamCodec.write(out, proposals.get(0));
      headerSent = true;
      return out;
    }
    if (config.eagerHeader()) {
      ByteBuf out = alloc.buffer();
      MultistreamCodec.write(out, MultistreamCodec.PROTOCOL_ID);
      headerSent = true;
      return out;
    }
    return Unpooled.EMPTY_BUFFER;
  }

  /** The deadline (on the clock of {@code start}'s time) while the negotiation runs, else empty. */
  public OptionalLong pollTimeout() {
    return state == State.NEW || state == State.DONE
        ? OptionalLong.empty()
        : OptionalLong.of(deadlineNanos);
  }

  /**
   * The timer set from {@link #pollTimeout} fired: fails the negotiation if the deadline has
   * passed. Empty if it has not (a timer that fired early) or if the negotiation is already over.
   */
  public Optional<Failed> handleTimeout(long nowNanos) {
    if (state == State.NEW || state == State.DONE || !expired(nowNanos)) {
      return Optional.empty();
    }
    return Optional.of(timedOut());
  }

  /**
   * Consumes whole messages from {@code in} and says what to do next; see the class comment for the
   * loop. Never throws for bad input: that is a {@code Failed} event.
   */
  public NegotiationEvent receive(ByteBuf in, long nowNanos) {
    if (state == State.NEW) {
      throw new IllegalStateException("receive() before start()");
    }
    if (state == State.DONE) {
      throw new IllegalStateException("negotiation already finished");
    }
    if (expired(nowNanos)) {
      return timedOut(); // Bytes that come too late change nothing: the peer was too slow.
    }
    if (state == State.SELECTING) {
      return select(in);
    }
    if (state == State.AWAIT_HEADER && !startsLikeHeader(in)) {
      return fail(
          MultistreamErrorCode.NOT_MULTISTREAM, "first bytes are not the multistream header");
    }
    ByteBuf out = null;
    try {
      while (true) {
        String message = MultistreamCodec.read(in);
        if (message == null) {
          return out == null ? NegotiationEvent.NEED_DATA : new Send(out);
        }
        Reply reply = initiator ? onInitiatorMessage(message) : onResponderMessage(message);
        if (reply instanceof Fail fail) {
          if (out != null) {
            out.release(); // Replies to earlier messages are moot: the connection closes.
          }
          return fail(fail.code(), fail.detail());
        }
        if (reply instanceof Write write) {
          out = out == null ? in.alloc().buffer() : out;
          write.writer().accept(out);
        }
        if (state == State.SELECTING) {
          return out == null ? select(in) : new Send(out);
        }
        if (initiator && out != null) {
          return new Send(out); // The next proposal; the answer cannot be here yet.
        }
      }
    } catch (MalformedFrameException e) {
      if (out != null) {
        out.release();
      }
      return fail(MultistreamErrorCode.MALFORMED, e.getMessage());
    } catch (RuntimeException e) {
      if (out != null) {
        out.release();
      }
      throw e;
    }
  }

  private Reply onInitiatorMessage(String message) {
    if (state == State.AWAIT_HEADER) {
      if (!MultistreamCodec.PROTOCOL_ID.equals(message)) {
        return new Fail(
            MultistreamErrorCode.NOT_MULTISTREAM,
            "expected the header, got \"" + abbreviate(message) + "\"");
      }
      state = State.AWAIT_ANSWER;
      return null;
    }
    String proposal = proposals.get(proposalIndex);
    if (proposal.equals(message)) {
      selected = proposal;
      state = State.SELECTING;
      return null;
    }
    if (!MultistreamCodec.NA.equals(message)) {
      return new Fail(
          MultistreamErrorCode.UNEXPECTED_MESSAGE,
          "proposed \"" + proposal + "\", got \"" + abbreviate(message) + "\"");
    }
    proposalIndex++;
    if (proposalIndex == proposals.size()) {
      return new Fail(MultistreamErrorCode.ALL_REFUSED, "peer refused " + proposals);
    }
    String next = proposals.get(proposalIndex);
    return new Write(out -> MultistreamCodec.write(out, next));
  }

  private Reply onResponderMessage(String message) {
    if (state == State.AWAIT_HEADER) {
      if (!MultistreamCodec.PROTOCOL_ID.equals(message)) {
        return new Fail(
            MultistreamErrorCode.NOT_MULTISTREAM,
            "expected the header, got \"" + abbreviate(message) + "\"");
      }
      state = State.AWAIT_PROPOSAL;
      if (headerSent) {
        return null;
      }
      headerSent = true;
      return new Write(out -> MultistreamCodec.write(out, MultistreamCodec.PROTOCOL_ID));
    }
    if (MultistreamCodec.LS.equals(message)) {
      return new Write(out -> MultistreamCodec.writeList(out, listed));
    }
    if (!isReserved(message) && supported.test(message)) {
      selected = message;
      state = State.SELECTING;
      return new Write(out -> MultistreamCodec.write(out, message));
    }
    if (++rejected > config.maxRejectedProposals()) {
      return new Fail(
          MultistreamErrorCode.TOO_MANY_PROPOSALS,
          "refused " + rejected + " proposals, the last \"" + abbreviate(message) + "\"");
    }
    return new Write(out -> MultistreamCodec.write(out, MultistreamCodec.NA));
  }

  /**
   * The header's bytes are fixed, so garbage (a wrong pnet key, another protocol) fails at the
   * first differing byte instead of waiting for a length it announced, or for the timeout.
   */
  private static boolean startsLikeHeader(ByteBuf in) {
    int n = Math.min(in.readableBytes(), HEADER_BYTES.length);
    for (int i = 0; i < n; i++) {
      if (in.getByte(in.readerIndex() + i) != HEADER_BYTES[i]) {
        return false;
      }
    }
    return true;
  }

  private Selected select(ByteBuf in) {
    state = State.DONE;
    ByteBuf leftover =
        in.isReadable() ? in.readRetainedSlice(in.readableBytes()) : Unpooled.EMPTY_BUFFER;
    return new Selected(selected, leftover);
  }

  private boolean expired(long nowNanos) {
    return nowNanos - deadlineNanos >= 0;
  }

  private Failed timedOut() {
    return fail(
        MultistreamErrorCode.TIMEOUT, "no agreement within " + timeoutNanos / 1_000_000 + " ms");
  }

  private Failed fail(MultistreamErrorCode code, String detail) {
    state = State.DONE;
    return new Failed(code, detail);
  }

  private static boolean isReserved(String message) {
    return message.isEmpty()
        || message.equals(MultistreamCodec.NA)
        || message.equals(MultistreamCodec.LS)
        || message.equals(MultistreamCodec.PROTOCOL_ID);
  }

  private static void checkProtocolId(String protocol) {
    if (isReserved(protocol)) {
      throw new IllegalArgumentException("\"" + protocol + "\" cannot be negotiated");
    }
    if (protocol.indexOf('\n') >= 0
        || protocol.getBytes(StandardCharsets.UTF_8).length + 1
            > MultistreamCodec.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(
          "protocol id holds a newline or exceeds "
              + MultistreamCodec.MAX_MESSAGE_BYTES
              + " bytes");
    }
  }

  private static byte[] headerBytes() {
    ByteBuf buf = Unpooled.buffer();
    MultistreamCodec.write(buf, MultistreamCodec.PROTOCOL_ID);
    byte[] bytes = new byte[buf.readableBytes()];
    buf.readBytes(bytes);
    return bytes;
  }

  private static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  /** What one message asks for: nothing (null), bytes to send, or the end. */
  private sealed interface Reply permits Write, Fail {}

  private record Write(Consumer<ByteBuf> writer) implements Reply {}

  private record Fail(MultistreamErrorCode code, String detail) implements Reply {}
}
