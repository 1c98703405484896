package org.grapevine.libp2p.gossipsub.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.function.BiConsumer;
import org.grapevine.libp2p.MalformedFrameException;
import org.grapevine.libp2p.gossipsub.GossipProtocol;
import org.grapevine.libp2p.gossipsub.Rpc;
import org.grapevine.libp2p.gossipsub.RpcCodec;
import org.grapevine.libp2p.host.Connection;
import org.grapevine.libp2p.mux.MuxedStream;
import org.grapevine.libp2p.mux.StreamReader;

/**
 * The stream side of pubsub: a peer's inbound stream carries delimited RPCs to us (read here, each
 * at most the codec's limit, buffered no further than one RPC), and our outbound stream carries
 * ours (we never read it; we only watch it die). A malformed RPC resets the stream.
 */
final class GossipStreams {
  /** Receives one decoded RPC; called on the stream's event loop. */
  @FunctionalInterface
  interface RpcSink {
    void accept(Connection connection, GossipProtocol protocol, Rpc rpc);
  }

  private final ByteBufAllocator alloc;
  private final RpcCodec codec = new RpcCodec();
  private final RpcSink sink;
  private final BiConsumer<Connection, MalformedFrameException> onBad;

  GossipStreams(
      ByteBufAllocator alloc, RpcSink sink, BiConsumer<Connection, MalformedFrameException> onBad) {
    this.alloc = alloc;
    this.sink = sink;
    this.onBad = onBad;
  }

  RpcCodec codec() {
    return codec;
  }

  /** Reads RPCs from a stream the peer opened until it closes or misbehaves. */
  void readFrom(MuxedStream stream, Connection connection, GossipProtocol protocol) {
    stream.setReader(
        new StreamReader() {
          private final CompositeByteBuf buffer = alloc.compositeBuffer();
          private boolean done;

          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            if (done) {
              data.release();
              return;
            }
            buffer.addComponent(true, data);
            try {
              while (true) {
                int mark = buffer.readerIndex();
                int len = codec.readLength(buffer);
                if (len < 0 || buffer.readableBytes() < len) {
                  buffer.readerIndex(mark);
                  break;
                }
                Rpc rpc = codec.decode(buffer.readSlice(len));
                sink.accept(connection, protocol, rpc);
              }
              buffer.discardReadComponents();
            } catch (MalformedFrameException e) {
              onBad.accept(connection, e);
              finish();
              s.reset();
            }
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {
            finish();
            s.closeWrite();
          }

          @Override
          public void onReset(MuxedStream s) {
            finish();
          }

          private void finish() {
            if (!done) {
              done = true;
              buffer.release();
            }
          }
        });
  }

  /** Our outbound stream: drops anything the peer sends on it and reports when it ends. */
  void watchOutbound(MuxedStream stream, Runnable onGone) {
    stream.setReader(
        new StreamReader() {
          @Override
          public void onData(MuxedStream s, ByteBuf data) {
            data.release();
          }

          @Override
          public void onRemoteClosed(MuxedStream s) {
            // The peer stopped reading from us: this stream is useless; open another. (Our own
            // reset raises no onReset, so report it here.)
            s.reset();
            onGone.run();
          }

          @Override
          public void onReset(MuxedStream s) {
            onGone.run();
          }
        });
  }
}
