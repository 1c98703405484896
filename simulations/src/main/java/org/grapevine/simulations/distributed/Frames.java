package org.grapevine.simulations.distributed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;

/**
 * The wire between the coordinator and an agent: frames of a 4-byte big-endian length and that many
 * bytes of one JSON object, each at most {@link #MAX_FRAME_BYTES} both ways. Every frame has a
 * {@code type}. Writes are serialized (several threads send); reads belong to one thread.
 */
final class Frames implements AutoCloseable {
  /** The largest frame either side sends or accepts. */
  static final int MAX_FRAME_BYTES = 16 << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Socket socket;
  private volatile String peer;
  private final DataInputStream in;
  private final DataOutputStream out;

  /**
   * @param peer who is at the other end, for errors ("agent 2 (10.0.0.5:41234)", "the coordinator")
   */
  Frames(Socket socket, String peer) throws IOException {
    this.socket = socket;
    this.peer = peer;
    socket.setTcpNoDelay(true);
    this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
    this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
  }

  void peer(String who) {
    peer = who;
  }

  String peer() {
    return peer;
  }

  Socket socket() {
    return socket;
  }

  static ObjectNode frame(String type) {
    ObjectNode o = JSON.createObjectNode();
    o.put("type", type);
    return o;
  }

  /** Sends one frame; refuses one larger than the limit (our bug, said as such). */
  void send(ObjectNode frame) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(frame);
    if (bytes.length > MAX_FRAME_BYTES) {
      throw new FrameException(
          "a "
              + frame.path("type").asText()
              + " frame of "
              + bytes.length
              + " bytes for "
              + peer
              + " exceeds the "
              + (MAX_FRAME_BYTES >> 20)
              + " MiB limit (sender's fault: it must split it)");
    }
    synchronized (out) {
      out.writeInt(bytes.length);
      out.write(bytes);
      out.flush();
    }
  }

  /**
   * The next frame; waits at most the socket's read timeout.
   *
   * @throws EOFException when the peer closed the connection
   * @throws java.net.SocketTimeoutException when nothing came within the timeout
   * @throws FrameException on a frame over the limit or not a JSON object with a type
   */
  ObjectNode receive() throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_FRAME_BYTES) {
      throw new FrameException(
          peer
              + " sent a frame of "
              + Integer.toUnsignedString(length)
              + " bytes, over the "
              + (MAX_FRAME_BYTES >> 20)
              + " MiB limit (its fault, or not a grapevine-sim peer at all)");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new FrameException(peer + " sent a frame that is not JSON: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode o) || !o.path("type").isTextual()) {
      throw new FrameException(peer + " sent a frame without a type");
    }
    return o;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing: nothing more will be read or written either way.
    }
  }

  /** A frame broke the protocol (size, shape); the message says whose fault. */
  static final class FrameException extends IOException {
    private static final long serialVersionUID = 1L;

    FrameException(String message) {
      super(message);
    }
  }
}
