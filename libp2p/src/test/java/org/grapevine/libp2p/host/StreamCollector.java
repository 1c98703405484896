package org.grapevine.libp2p.host;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * Collects a stream's inbound bytes; completes when the peer closes, fails when the stream resets.
 */
public final class StreamCollector implements StreamReader {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  public final CompletableFuture<byte[]> done = new CompletableFuture<>();

  @Override
  public void onData(MuxedStream stream, ByteBuf data) {
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
