package org.grapevine.libp2p.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Two sessions wired back to back over a lossless, in-order link with virtual time (quinn's {@code
 * Pair}). {@link #step} moves every queued frame once in each direction; {@link #drive} steps until
 * the link is quiet. Received data is collected per stream and, unless {@link Side#autoConsume} is
 * off, reported consumed at once.
 */
final class YamuxPair {
  /** Counts live heap bytes so tests can assert that every buffer was released. */
  final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

  final Side client;
  final Side server;
  long nowNanos;

  YamuxPair(YamuxConfig config) {
    this(config, config);
  }

  YamuxPair(YamuxConfig clientConfig, YamuxConfig serverConfig) {
    client = new Side(new YamuxSession(clientConfig, true, alloc, 0));
    server = new Side(new YamuxSession(serverConfig, false, alloc, 0));
  }

  /** One side of the link and what it has seen. */
  final class Side {
    final YamuxSession session;
    final List<YamuxEvent> events = new ArrayList<>();
    final Map<Long, ByteArrayOutputStream> received = new HashMap<>();
    boolean autoConsume = true;

    Side(YamuxSession session) {
      this.session = session;
    }

    Side peer() {
      return this == client ? server : client;
    }

    /** Everything this side would write to the transport now, as one byte array. */
    byte[] takeOutbound() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuf b;
      while ((b = session.pollOutbound()) != null) {
        out.writeBytes(ByteBufUtil.getBytes(b));
        b.release();
      }
      return out.toByteArray();
    }

    /** Feeds raw bytes (hand-crafted frames) to this side and collects its events. */
    void receive(byte[] bytes) {
      session.handleInbound(alloc.buffer(bytes.length).writeBytes(bytes), nowNanos);
      collect();
    }

    byte[] receivedOn(long streamId) {
      ByteArrayOutputStream b = received.get(streamId);
      return b == null ? new byte[0] : b.toByteArray();
    }

    void write(long streamId, byte[] data) {
      session.write(streamId, alloc.buffer(data.length).writeBytes(data));
      collect();
    }

    <T extends YamuxEvent> List<T> eventsOf(Class<T> type) {
      return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    void collect() {
      for (Optional<YamuxEvent> e = session.pollEvent(); e.isPresent(); e = session.pollEvent()) {
        YamuxEvent event = e.get();
        events.add(event);
        if (event instanceof YamuxEvent.StreamData d) {
          int n = d.data().readableBytes();
          received
              .computeIfAbsent(d.streamId(), id -> new ByteArrayOutputStream())
              .writeBytes(ByteBufUtil.getBytes(d.data()));
          d.data().release();
          if (autoConsume) {
            session.consumed(d.streamId(), n);
          }
        }
      }
    }
  }

  /** Moves all queued frames client→server then server→client; true if any moved. */
  boolean step() {
    boolean first = move(client); // both directions move, whatever the first returned
    boolean moved = move(server) || first;
    client.collect();
    server.collect();
    return moved;
  }

  /** Steps until nothing moves; a runaway exchange fails the test rather than hanging. */
  void drive() {
    for (int i = 0; i < 100_000; i++) {
      if (!step()) {
        return;
      }
    }
    throw new AssertionError("link never went quiet");
  }

  /** Advances virtual time, firing due timers on both sides. */
  void advance(long nanos) {
    nowNanos += nanos;
    for (Side s : List.of(client, server)) {
      if (s.session.pollTimeout().isPresent() && s.session.pollTimeout().getAsLong() <= nowNanos) {
        s.session.handleTimeout(nowNanos);
        s.collect();
      }
    }
  }

  /** Ends both sessions and asserts that no buffer is left allocated. */
  void closeAndAssertNoLeaks() {
    for (Side s : List.of(client, server)) {
      s.session.handleTransportClosed();
      s.collect();
      s.takeOutbound();
    }
    assertThat(alloc.metric().usedHeapMemory()).as("heap bytes still allocated").isZero();
  }

  private boolean move(Side from) {
    boolean moved = false;
    ByteBuf b;
    while ((b = from.session.pollOutbound()) != null) {
      from.peer().session.handleInbound(b, nowNanos);
      moved = true;
    }
    return moved;
  }
}
