package org.grapevine.libp2p.autonat.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.grapevine.libp2p.FrameError;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.mux.MemoryStreamPair;
import org.junit.jupiter.api.Test;

/** {@link MessageReader}: frames, bounds, one end only, no buffer left behind. */
class MessageReaderTest {
  private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;
  private final MemoryStreamPair pair = new MemoryStreamPair();
  private final List<byte[]> messages = new ArrayList<>();
  private final List<FrameError> ends = new ArrayList<>();
  private boolean more = true;

  private MessageReader reader(int maxBytes) {
    MessageReader r =
        new MessageReader(
            ALLOC,
            maxBytes,
            (s, body) -> {
              if (body.length == 1 && body[0] == 99) {
                throw new MalformedFrameException(FrameError.BAD_ENCODING, "99");
              }
              messages.add(body);
              return more;
            },
            (s, why, detail) -> ends.add(why));
    pair.b.setReader(r);
    return r;
  }

  private void send(byte[] body) {
    MessageReader.write(pair.a, ALLOC, body);
  }

  @Test
  void onData_framesSplitAcrossWrites_deliveredWhole() {
    reader(64);
    ByteBuf framed = DelimitedReader.frame(ALLOC, new byte[] {1, 2, 3});
    pair.a.write(framed.readRetainedSlice(2));
    pair.a.write(framed);
    send(new byte[] {4});
    assertThat(messages).hasSize(2);
    assertThat(messages.get(0)).containsExactly(1, 2, 3);
    pair.a.closeWrite();
    assertThat(ends).containsExactly(FrameError.TRUNCATED);
  }

  @Test
  void onData_announcedLengthOverTheLimit_tooLargeAndReset() {
    reader(64);
    pair.a.write(Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, 0x01})); // 128 bytes announced
    assertThat(ends).containsExactly(FrameError.TOO_LARGE);
    assertThat(pair.b.wasReset).isTrue();
    assertThat(messages).isEmpty();
  }

  @Test
  void onMessage_throws_endsWithItsCodeAndResets() {
    reader(64);
    send(new byte[] {99});
    assertThat(ends).containsExactly(FrameError.BAD_ENCODING);
    assertThat(pair.b.wasReset).isTrue();
  }

  @Test
  void onMessage_returnsFalse_laterBytesAndEndsIgnoredAndReleased() {
    more = false;
    reader(64);
    send(new byte[] {1});
    ByteBuf late = DelimitedReader.frame(ALLOC, new byte[] {2});
    pair.a.write(late);
    pair.a.reset();
    assertThat(messages).hasSize(1);
    assertThat(ends).isEmpty();
    assertThat(late.refCnt()).isZero();
  }
}
