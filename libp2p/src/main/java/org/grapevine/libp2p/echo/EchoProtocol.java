package org.grapevine.libp2p.echo;

import io.netty.buffer.ByteBuf;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * {@code /grapevine/echo/1.0.0}: echoes every byte back until the peer half-closes, then closes.
 * For diagnostics ({@code grapevine p2p listen}), interop tests and throughput benchmarks. The echo
 * follows the stream's flow control: Yamux stops granting window while our writes queue.
 */
public final class EchoProtocol {
  public static final String ID = "/grapevine/echo/1.0.0";

  private EchoProtocol() {}

  public static void respond(MuxedStream stream) {
    stream.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            s.write(data);
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {
            s.closeWrite();
          }

          @Override
          public void onReset(MuxedStream s) {}
        });
  }
}
