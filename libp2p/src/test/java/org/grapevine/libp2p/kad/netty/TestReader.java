package org.grapevine.libp2p.kad.netty;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * A stream reader for tests that play one side by hand: collects the bytes ({@link #done} when the
 * peer closes, failed when the stream resets), or hands each chunk to {@code onData} (which then
 * owns it).
 */
final class TestReader implements StreamReader {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final BiConsumer<MuxedStream, ByteBuf> onData;
  final CompletableFuture<byte[]> done = new CompletableFuture<>();

  TestReader() {
    this(null);
  }

  TestReader(BiConsumer<MuxedStream, ByteBuf> onData) {
    this.onData = onData;
  }

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
    if (onData != null) {
      onData.accept(stream, data);
      return;
    }
    try {
      data.readBytes(bytes, data.readableBytes());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      data.release();
    }
  }

  @Override
  public void onRemoteClosed(MuxedStream stream) {
    done.complete(bytes.toByteArray());
  }

  @Override
  public void onReset(MuxedStream stream) {
    done.completeExceptionally(
        new IllegalStateException("stream reset after " + bytes.size() + " bytes"));
  }
}
