package org.grapevine.node.runtime;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.encoding.DelimitedReader;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;
import org.grapevine.protocol.sync.SyncErrorCode;
import org.grapevine.protocol.sync.SyncLimits;

/**
 * The reading side of one sync stream: splits the bytes into frames (varint length, at most {@link
 * SyncLimits#MAX_MESSAGE_BYTES}) on the stream's event loop and hands each to the core through the
 * driver. It decides nothing: a frame that does not split is reported as the framing error it is,
 * and the core decides what it means.
 */
final class SyncStreamAdapter implements StreamReader {
  private final long sync;
  private final CoreDriver driver;
  private final DelimitedReader frames =
      new DelimitedReader(ByteBufAllocator.DEFAULT, SyncLimits.MAX_MESSAGE_BYTES);
  private boolean framesClosed;

  SyncStreamAdapter(long sync, CoreDriver driver) {
    this.sync = sync;
    this.driver = driver;
  }

  @Override
  public void onData(MuxedStream s, ByteBuf data) {
    if (framesClosed) {
      data.release();
      return;
    }
    try {
      List<byte[]> messages = frames.feed(data);
      for (byte[] m : messages) {
        driver.input(core -> core.handleSyncMessage(sync, m, driver.now()));
      }
    } catch (MalformedFrameException e) {
      closeFrames();
      SyncErrorCode code =
          e.code() == org.grapevine.libp2p.FrameError.TOO_LARGE
              ? SyncErrorCode.MESSAGE_TOO_LARGE
              : SyncErrorCode.MALFORMED_MESSAGE;
      driver.input(
          core ->
              core.handleSyncFramingError(sync, code, "frame: " + e.getMessage(), driver.now()));
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream s) {
    closeFrames();
    driver.input(core -> core.handleSyncStreamClosed(sync, false, driver.now()));
  }

  @Override
  public void onReset(MuxedStream s) {
    closeFrames();
    driver.input(core -> core.handleSyncStreamClosed(sync, true, driver.now()));
  }

  /**
   * Whatever the peer still sends is read and dropped, not decoded: a peer whose session is over
   * (perhaps because it broke the protocol) cannot keep us busy on this stream. Event loop only.
   */
  void closeFrames() {
    if (!framesClosed) {
      framesClosed = true;
      frames.close();
    }
  }
}
