package org.grapevine.libp2p.multistream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.grapevine.libp2p.multistream.MultistreamCodecTest.ascii;
import static org.grapevine.libp2p.multistream.MultistreamCodecTest.hex;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.grapevine.libp2p.multistream.NegotiationEvent.Failed;
import org.grapevine.libp2p.multistream.NegotiationEvent.NeedData;
import org.grapevine.libp2p.multistream.NegotiationEvent.Selected;
import org.grapevine.libp2p.multistream.NegotiationEvent.Send;
import org.junit.jupiter.api.Test;

class MultistreamNegotiatorTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private static final String HEADER = "13" + ascii("/multistream/1.0.0\n");
  private static final String NOISE = "07" + ascii("/noise\n");
  private static final String NA = "036e610a";

  /** Virtual time: any origin works, even one near the end of the long range. */
  private static final long T0 = Long.MAX_VALUE - 5_000_000_000L;

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Feeds {@code in} and collects every Send until a final or NeedData event. */
  private static final class Run {
    final List<String> sent = new ArrayList<>();
    NegotiationEvent last;

    Run(MultistreamNegotiator n, ByteBuf in) {
      while (true) {
        last = n.receive(in, T0);
        if (last instanceof Send send) {
          sent.add(ByteBufUtil.hexDump(send.data()));
          send.data().release();
        } else {
          return;
        }
      }
    }
  }

  private static String start(MultistreamNegotiator n) {
    ByteBuf first = n.start(ALLOC, T0, TIMEOUT);
    String hex = ByteBufUtil.hexDump(first);
    first.release();
    return hex;
  }

  @Test
  void initiatorStart_headerAndProposal_inOneBuffer() {
    assertThat(start(MultistreamNegotiator.initiator(List.of("/noise")))).isEqualTo(HEADER + NOISE);
  }

  @Test
  void initiator_headerAndEchoInOneRead_selectedWithoutLeftover() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    Run run = new Run(n, hex(HEADER + NOISE));
    assertThat(run.sent).isEmpty();
    Selected selected = (Selected) run.last;
    assertThat(selected.protocol()).isEqualTo("/noise");
    assertThat(selected.leftover().readableBytes()).isZero();
    assertThat(n.selected()).isEqualTo("/noise");
  }

  @Test
  void initiator_headerAndEchoInTwoReads_needsDataBetween() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    ByteBuf in = hex(HEADER + NOISE.substring(0, 6));
    assertThat(n.receive(in, T0)).isInstanceOf(NeedData.class);
    ByteBuf rest = Unpooled.wrappedBuffer(in, hex(NOISE.substring(6)));
    assertThat(n.receive(rest, T0)).isInstanceOf(Selected.class);
    rest.release();
  }

  @Test
  void initiator_bytesAfterEcho_areLeftoverInOrder() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    ByteBuf in = hex(HEADER + NOISE + "deadbeef");
    Selected selected = (Selected) n.receive(in, T0);
    assertThat(ByteBufUtil.hexDump(selected.leftover())).isEqualTo("deadbeef");
    assertThat(in.isReadable()).isFalse();
    selected.leftover().release();
    in.release();
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void initiator_na_sendsNextProposalOnlyThenSelects() {
    MultistreamNegotiator n =
        MultistreamNegotiator.initiator(List.of("/yamux/1.0.0", "/mplex/6.7.0"));
    start(n);
    Run run = new Run(n, hex(HEADER + NA));
    assertThat(run.sent).containsExactly("0d" + ascii("/mplex/6.7.0\n"));
    assertThat(run.last).isInstanceOf(NeedData.class);
    assertThat(((Selected) n.receive(hex("0d" + ascii("/mplex/6.7.0\n")), T0)).protocol())
        .isEqualTo("/mplex/6.7.0");
  }

  @Test
  void initiator_allRefused_failsWithAllRefused() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    assertThat(((Failed) n.receive(hex(HEADER + NA), T0)).code())
        .isEqualTo(MultistreamErrorCode.ALL_REFUSED);
    assertThatThrownBy(() -> n.receive(Unpooled.EMPTY_BUFFER, T0))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void initiator_answerBeforeHeader_notMultistream() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    assertThat(((Failed) n.receive(hex(NOISE), T0)).code())
        .isEqualTo(MultistreamErrorCode.NOT_MULTISTREAM);
  }

  @Test
  void initiator_echoOfSomethingElse_unexpected() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    assertThat(((Failed) n.receive(hex(HEADER + "05" + ascii("/tls\n")), T0)).code())
        .isEqualTo(MultistreamErrorCode.UNEXPECTED_MESSAGE);
  }

  @Test
  void responderJsStyle_waitsForHeader_thenHeaderAndEchoInOneSend() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/noise"), MultistreamConfig.DEFAULT);
    assertThat(start(n)).isEmpty();
    Run run = new Run(n, hex(HEADER + NOISE));
    assertThat(run.sent).containsExactly(HEADER + NOISE);
    assertThat(((Selected) run.last).protocol()).isEqualTo("/noise");
  }

  @Test
  void responderGoStyle_eagerHeader_notRepeated() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(
            List.of("/noise"), MultistreamConfig.DEFAULT.withEagerHeader(true));
    assertThat(start(n)).isEqualTo(HEADER);
    Run run = new Run(n, hex(HEADER + NOISE));
    assertThat(run.sent).containsExactly(NOISE);
    assertThat(run.last).isInstanceOf(Selected.class);
  }

  @Test
  void responder_lazyDataAfterProposal_isLeftover() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/ipfs/ping/1.0.0"), MultistreamConfig.DEFAULT);
    start(n);
    String ping = "11" + ascii("/ipfs/ping/1.0.0\n");
    Run run = new Run(n, hex(HEADER + ping + "0102030405"));
    assertThat(run.sent).containsExactly(HEADER + ping);
    Selected selected = (Selected) run.last;
    assertThat(ByteBufUtil.hexDump(selected.leftover())).isEqualTo("0102030405");
    selected.leftover().release();
  }

  @Test
  void responder_unsupportedThenSupported_naThenEcho() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/yamux/1.0.0"), MultistreamConfig.DEFAULT);
    start(n);
    Run run = new Run(n, hex(HEADER + "0d" + ascii("/mplex/6.7.0\n")));
    assertThat(run.sent).containsExactly(HEADER + NA);
    assertThat(run.last).isInstanceOf(NeedData.class);
    Run second = new Run(n, hex("0d" + ascii("/yamux/1.0.0\n")));
    assertThat(second.sent).containsExactly("0d" + ascii("/yamux/1.0.0\n"));
    assertThat(second.last).isInstanceOf(Selected.class);
  }

  @Test
  void responder_ls_answersWithItsList() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    start(n);
    Run run = new Run(n, hex(HEADER + "036c730a"));
    assertThat(run.sent).containsExactly(HEADER + "05" + "03" + ascii("/a\n") + "0a");
  }

  @Test
  void responder_rejectBound_failsAfterTheLimit() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), new MultistreamConfig(false, 2));
    start(n);
    String bad = "03" + ascii("/b\n");
    ByteBuf in = hex(HEADER + bad + bad);
    Run run = new Run(n, in);
    assertThat(run.sent).containsExactly(HEADER + NA + NA);
    ByteBuf third = hex(bad);
    ByteBuf pooled =
        ALLOC
            .buffer()
            .writeBytes(third); // Replies come from in.alloc(): a pooled, leak-checkable buffer.
    assertThat(((Failed) n.receive(pooled, T0)).code())
        .isEqualTo(MultistreamErrorCode.TOO_MANY_PROPOSALS);
    pooled.release();
  }

  @Test
  void responder_failureAfterRepliesInTheSameRead_releasesTheReplies() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), new MultistreamConfig(false, 1));
    start(n);
    String bad = "03" + ascii("/b\n");
    List<ByteBuf> replies = new ArrayList<>();
    ByteBuf in = new RecordingAllocator(replies).buffer().writeBytes(hex(HEADER + bad + bad));
    replies.clear();
    assertThat(((Failed) n.receive(in, T0)).code())
        .isEqualTo(MultistreamErrorCode.TOO_MANY_PROPOSALS);
    assertThat(replies).hasSize(1).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    in.release();
  }

  /** Hands out unpooled heap buffers and remembers them, so a test can check they were released. */
  private static final class RecordingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> handedOut;

    RecordingAllocator(List<ByteBuf> handedOut) {
      this.handedOut = handedOut;
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
      ByteBuf b = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
      handedOut.add(b);
      return b;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
      return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
      return false;
    }
  }

  @Test
  void responder_notMultistream_fails() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    start(n);
    // "GET / HTTP/1.1\r\n": 'G' would announce a 71-byte message; the fixed header lets us fail at
    // once.
    assertThat(((Failed) n.receive(hex("474554202f20485454502f312e310d0a"), T0)).code())
        .isEqualTo(MultistreamErrorCode.NOT_MULTISTREAM);
    MultistreamNegotiator initiator = MultistreamNegotiator.initiator(List.of("/a"));
    start(initiator);
    assertThat(((Failed) initiator.receive(hex("13" + ascii("/multistream/2")), T0)).code())
        .isEqualTo(MultistreamErrorCode.NOT_MULTISTREAM);
  }

  @Test
  void responder_malformedLength_failsMalformed() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    start(n);
    assertThat(((Failed) n.receive(hex(HEADER + "ffff01"), T0)))
        .extracting(Failed::code)
        .isEqualTo(MultistreamErrorCode.MALFORMED);
  }

  @Test
  void backToBack_initiatorFallsBackAfterNa_bothAgree() {
    MultistreamNegotiator initiator =
        MultistreamNegotiator.initiator(List.of("/mplex/6.7.0", "/yamux/1.0.0"));
    MultistreamNegotiator responder =
        MultistreamNegotiator.responder(List.of("/yamux/1.0.0"), MultistreamConfig.DEFAULT);
    ByteBuf toResponder = initiator.start(ALLOC, T0, TIMEOUT);
    ByteBuf toInitiator = responder.start(ALLOC, T0, TIMEOUT);
    String chosenByInitiator = null;
    String chosenByResponder = null;
    for (int round = 0;
        round < 10 && (chosenByInitiator == null || chosenByResponder == null);
        round++) {
      ByteBuf nextToInitiator = Unpooled.buffer();
      ByteBuf nextToResponder = Unpooled.buffer();
      chosenByResponder =
          chosenByResponder != null
              ? chosenByResponder
              : drive(responder, toResponder, nextToInitiator);
      chosenByInitiator =
          chosenByInitiator != null
              ? chosenByInitiator
              : drive(initiator, toInitiator, nextToResponder);
      toResponder.release();
      toInitiator.release();
      toResponder = nextToResponder;
      toInitiator = nextToInitiator;
    }
    toResponder.release();
    toInitiator.release();
    assertThat(chosenByInitiator).isEqualTo("/yamux/1.0.0");
    assertThat(chosenByResponder).isEqualTo("/yamux/1.0.0");
  }

  private static String drive(MultistreamNegotiator n, ByteBuf in, ByteBuf out) {
    while (true) {
      NegotiationEvent event = n.receive(in, T0);
      if (event instanceof Send send) {
        out.writeBytes(send.data());
        send.data().release();
      } else if (event instanceof Selected selected) {
        selected.leftover().release();
        return selected.protocol();
      } else if (event instanceof Failed failed) {
        throw new AssertionError(failed.toString());
      } else {
        return null;
      }
    }
  }

  @Test
  void timeout_deadlineIsStartPlusTimeout_noneBeforeStartOrAfterTheEnd() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    assertThat(n.pollTimeout()).isEmpty();
    assertThat(n.handleTimeout(T0 + TIMEOUT.toNanos())).isEmpty();
    start(n);
    assertThat(n.pollTimeout()).hasValue(T0 + TIMEOUT.toNanos());
    ((Selected) new Run(n, hex(HEADER + NOISE)).last).leftover().release();
    assertThat(n.pollTimeout()).isEmpty();
    assertThat(n.handleTimeout(T0 + 2 * TIMEOUT.toNanos())).isEmpty();
  }

  @Test
  void timeout_earlyWakeUpIsANoOp_atTheDeadlineFailsWithTimeout() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    start(n);
    ByteBuf partial = hex(HEADER.substring(0, 10));
    assertThat(n.receive(partial, T0 + 1)).isInstanceOf(NeedData.class);
    long deadline = n.pollTimeout().orElseThrow();
    assertThat(n.handleTimeout(deadline - 1)).isEmpty();
    assertThat(n.pollTimeout()).hasValue(deadline);
    Failed failed = n.handleTimeout(deadline).orElseThrow();
    assertThat(failed.code()).isEqualTo(MultistreamErrorCode.TIMEOUT);
    assertThat(failed.detail()).contains("10000 ms");
    assertThat(n.pollTimeout()).isEmpty();
    assertThat(n.handleTimeout(deadline + 1)).as("fails once").isEmpty();
    assertThatThrownBy(() -> n.receive(partial, deadline))
        .isInstanceOf(IllegalStateException.class);
    partial.release();
  }

  @Test
  void timeout_bytesArrivingAfterTheDeadline_failWithTimeoutNotSelected() {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/noise"));
    start(n);
    ByteBuf late = hex(HEADER + NOISE);
    NegotiationEvent event = n.receive(late, T0 + TIMEOUT.toNanos());
    assertThat(((Failed) event).code()).isEqualTo(MultistreamErrorCode.TIMEOUT);
    assertThat(late.readerIndex()).as("nothing consumed").isZero();
    late.release();
  }

  @Test
  void timeout_zero_failsAtTheFirstInput_negativeRefused() {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    n.start(ALLOC, T0, Duration.ZERO).release();
    assertThat(n.handleTimeout(T0)).map(Failed::code).hasValue(MultistreamErrorCode.TIMEOUT);
    MultistreamNegotiator negative =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    assertThatThrownBy(() -> negative.start(ALLOC, T0, Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void initiator_badProposals_rejectedAtConstruction() {
    assertThatThrownBy(() -> MultistreamNegotiator.initiator(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MultistreamNegotiator.initiator(List.of("na")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MultistreamNegotiator.initiator(List.of("/a\n")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 2000)
  void responder_randomBytes_typedOutcomeNeverException(
      @ForAll @Size(max = 300) byte[] noise, @ForAll boolean withHeader) {
    MultistreamNegotiator n =
        MultistreamNegotiator.responder(List.of("/a"), MultistreamConfig.DEFAULT);
    n.start(ALLOC, T0, TIMEOUT).release();
    ByteBuf in =
        withHeader
            ? Unpooled.wrappedBuffer(
                Unpooled.wrappedBuffer(hex(HEADER)), Unpooled.wrappedBuffer(noise))
            : Unpooled.wrappedBuffer(noise);
    assertFinishesTyped(n, in);
  }

  @Property(tries = 2000)
  void initiator_randomBytes_typedOutcomeNeverException(@ForAll @Size(max = 300) byte[] noise) {
    MultistreamNegotiator n = MultistreamNegotiator.initiator(List.of("/a", "/b"));
    n.start(ALLOC, T0, TIMEOUT).release();
    ByteBuf in =
        Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(hex(HEADER)), Unpooled.wrappedBuffer(noise));
    assertFinishesTyped(n, in);
  }

  private static void assertFinishesTyped(MultistreamNegotiator n, ByteBuf in) {
    for (int steps = 0; steps < 1000; steps++) {
      NegotiationEvent event = n.receive(in, T0);
      if (event instanceof Send send) {
        send.data().release();
        continue;
      }
      if (event instanceof Selected selected) {
        selected.leftover().release();
      }
      assertThat(event).isInstanceOfAny(NeedData.class, Selected.class, Failed.class);
      in.release();
      return;
    }
    throw new AssertionError("no final event after 1000 steps");
  }
}
