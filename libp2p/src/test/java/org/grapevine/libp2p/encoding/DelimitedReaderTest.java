package org.grapevine.libp2p.encoding;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class DelimitedReaderTest {
  @Test
  void feed_splitsWholeMessages_keepsTheRest() throws Exception {
    DelimitedReader r = new DelimitedReader(ByteBufAllocator.DEFAULT, 100);
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(new byte[] {2, 'h', 'i', 3, 'a'});
    assertThat(r.feed(in)).singleElement().isEqualTo(new byte[] {'h', 'i'});
    assertThat(r.pendingBytes()).isEqualTo(2);
    r.close();
  }

  @Test
  void close_twice_releasesOnce() throws Exception {
    DelimitedReader r = new DelimitedReader(ByteBufAllocator.DEFAULT, 100);
    ByteBuf in = Unpooled.buffer();
    in.writeBytes(new byte[] {3, 'a'});
    r.feed(in);
    r.close();
    r.close(); // A stream's end and its reset both close it (DcutrStream): no double release.
    assertThat(in.refCnt()).isZero();
  }
}
