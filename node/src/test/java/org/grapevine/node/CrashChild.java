package org.grapevine.node;

import com.google.protobuf.ByteString;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.node.config.DataDir;
import org.grapevine.node.config.NodeConfig;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Delete;
import org.grapevine.protocol.testing.TestAuthors;

/**
 * The child JVM of {@link CrashIT}: opens a node on the data directory given as the first argument
 * and posts in a loop until it is killed, printing {@code acked <seq> <entry id>} after each {@link
 * Node#post} returns. Every fourth entry deletes the post before it, so deletes are killed mid-way
 * too. Only these lines go to stdout (logs go to stderr).
 *
 * <p>With a second argument {@code http}, it posts nothing itself: it serves the local HTTP API
 * (token {@link #TOKEN}), prints {@code api <url>}, and the parent posts through it.
 */
public final class CrashChild {
  static final String PERSON = "crash-test";
  static final String DEVICE = "laptop";
  static final String TOKEN = "crash-test-token";

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    PrintStream out =
        new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "UTF-8");
    System.setOut(
        System.err); // Anything else printing to stdout (logging) must not interleave with acks.
    TestAuthors.Person person = TestAuthors.person(PERSON);
    SigningKey device = person.deviceKey(DEVICE);
    MultiThreadIoEventLoopGroup group =
        new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    Node node =
        NodeLauncher.of(
                NodeConfig.loopback(),
                Path.of(args[0]),
                new DataDir.Keys(
                    person.identity, person.root, device, PrivKey.generate(new SecureRandom())),
                group)
            .start();
    out.println("started " + node.store().contiguousHead(device.publicKey()));
    out.flush();
    if (args.length > 1 && args[1].equals("http")) {
      org.grapevine.node.api.ApiServer api =
          org.grapevine.node.api.ApiServer.start(node, 0, TOKEN, group);
      out.println("api " + api.url());
      out.flush();
      Thread.sleep(Long.MAX_VALUE); // Until SIGKILL.
    }
    LogEntry previous = null;
    for (long i = 0; ; i++) {
      Content content =
          previous != null && i % 4 == 3
              ? Content.newBuilder()
                  .setDelete(
                      Delete.newBuilder()
                          .setTarget(ByteString.copyFrom(previous.id().unsafeBytes())))
                  .build()
              : TestAuthors.post("post " + i + " " + "x".repeat((int) (i % 200)));
      LogEntry e = node.post(content);
      out.println("acked " + e.header().seq() + " " + e.id());
      out.flush();
      previous = e;
    }
  }
}
