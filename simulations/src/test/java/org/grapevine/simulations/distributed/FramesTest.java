package org.grapevine.simulations.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** Frames over a real TCP connection on 127.0.0.1. */
class FramesTest {
  @Test
  void aFrameCrossesAndAnOversizedOneIsRefusedNamingTheSender() throws Exception {
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          Socket accepted = server.accept()) {
        accepted.setSoTimeout(10_000);
        Frames sender = new Frames(client, "the coordinator");
        Frames receiver = new Frames(accepted, "agent 2 (10.0.0.5)");
        ObjectNode hello = Frames.frame("hello");
        hello.put("want", 3);
        sender.send(hello);
        assertThat(receiver.receive()).isEqualTo(hello);

        ObjectNode big = Frames.frame("obs");
        big.put("blob", "x".repeat(Frames.MAX_FRAME_BYTES));
        assertThatThrownBy(() -> sender.send(big))
            .isInstanceOf(Frames.FrameException.class)
            .hasMessageContaining("exceeds the 16 MiB limit");

        DataOutputStream raw = new DataOutputStream(client.getOutputStream());
        raw.writeInt(Frames.MAX_FRAME_BYTES + 1);
        raw.flush();
        assertThatThrownBy(receiver::receive)
            .isInstanceOf(Frames.FrameException.class)
            .hasMessageContaining("agent 2 (10.0.0.5) sent a frame of 16777217 bytes");
      }
    }
  }
}
