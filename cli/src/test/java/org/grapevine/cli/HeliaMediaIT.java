package org.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.netty.BitswapService;
import org.grapevine.libp2p.interop.JsEvent;
import org.grapevine.libp2p.interop.JsInterop;
import org.grapevine.libp2p.interop.JsPeer;
import org.grapevine.node.Node;
import org.grapevine.node.NodeMedia;
import org.grapevine.protocol.proto.Attachment;
import org.grapevine.protocol.proto.Content;
import org.grapevine.protocol.proto.Post;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our node's media with Helia (helia 7.1.15, @helia/bitswap 4.0.19, @helia/unixfs; TCP + Noise +
 * Yamux, no DHT: libp2p/src/test/js/helia): a file of several blocks our node adds gets the same
 * CID Helia gives the same bytes (UnixFS, raw leaves, 1 MiB chunks), Helia reads it from our node
 * over Bitswap, and our node fetches a file only Helia holds when a post names it. A one-block file
 * both ways too. The libp2p-level cases are in HeliaBitswapInteropIT.
 */
@Timeout(180)
class HeliaMediaIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path tmp;
  private TestNode node;
  private JsPeer helia;
  private final AtomicInteger ids = new AtomicInteger();

  @AfterEach
  void stop() throws Exception {
    if (helia != null) {
      helia.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private JsEvent command(String cmd, String... fields) {
    String id = Integer.toString(ids.incrementAndGet());
    StringBuilder sb = new StringBuilder("{\"id\":\"").append(id).append("\",\"cmd\":\"");
    sb.append(cmd).append('"');
    for (int i = 0; i < fields.length; i += 2) {
      sb.append(",\"").append(fields[i]).append("\":\"").append(fields[i + 1]).append('"');
    }
    helia.send(sb.append('}').toString());
    JsEvent r = helia.awaitEvent("result", e -> id.equals(e.string("id")), WAIT);
    assertThat(r.bool("ok")).as("Helia %s: %s", cmd, r.line()).isTrue();
    return r;
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private byte[] read(Node n, String cid) throws Exception {
    NodeMedia.Opened o = n.media().open(cid, WAIT).get(90, TimeUnit.SECONDS);
    try (InputStream in = o.in()) {
      return in.readAllBytes();
    }
  }

  /** Our own post naming a file we do not hold: the node fetches it (own files always). */
  private void postNaming(Node n, Cid root, long size) {
    n.post(
        Content.newBuilder()
            .setPost(
                Post.newBuilder()
                    .setText("a file from Helia")
                    .addAttachments(
                        Attachment.newBuilder()
                            .setHash(ByteString.copyFrom(root.digest()))
                            .setSize(size)
                            .setCodec((int) root.codec())
                            .setMediaType("application/octet-stream")))
            .build());
  }

  @Test
  void sameCidsBothWays_heliaReadsOurFile_weFetchHeliasFile_oneBlockAndMany() throws Exception {
    JsInterop.assumeHeliaAvailable();
    node = TestNode.start(tmp.resolve("alice"));
    Node n = node.node();
    helia = JsPeer.listenScript(JsInterop.heliaScript(), "--timeout", "170");
    command("dial", "addr", n.host().listenAddrs().get(0).withPeerId(n.host().peerId()).toString());
    helia.awaitEvent(
        "identify",
        e ->
            e.string("peer").equals(n.host().peerId().toString())
                && e.strings("protocols").contains(BitswapService.PROTOCOL),
        WAIT);

    // Ours, 3.5 MiB (four leaves and a root): Helia names the same bytes alike, and reads ours.
    byte[] ours = bytes(1, (7 << 20) / 2);
    Path oursFile = Files.write(tmp.resolve("ours.bin"), ours);
    NodeMedia.Added added = n.media().add(oursFile);
    assertThat(added.codec()).isEqualTo(0x70);
    Path gotFile = tmp.resolve("got.bin");
    command("cat", "cid", added.cid(), "file", gotFile.toString());
    assertThat(Files.readAllBytes(gotFile)).isEqualTo(ours);
    JsEvent same = command("add", "file", oursFile.toString());
    assertThat(same.string("cid")).as("Helia's CID of the same bytes").isEqualTo(added.cid());

    // Ours, one block: Helia gets it.
    byte[] small = bytes(2, 100_000);
    NodeMedia.Added one = n.media().add(Files.write(tmp.resolve("small.bin"), small));
    assertThat(one.cid()).startsWith("bafk");
    Path gotSmall = tmp.resolve("got-small.bin");
    command("get", "cid", one.cid(), "file", gotSmall.toString());
    assertThat(Files.readAllBytes(gotSmall)).isEqualTo(small);

    // Helia's, 2.5 MiB and one block: a post names them, our node fetches them from Helia.
    byte[] theirs = bytes(3, (5 << 20) / 2);
    Cid theirsRoot =
        Cid.parseText(
            command("add", "file", Files.write(tmp.resolve("t.bin"), theirs).toString())
                .string("cid"));
    byte[] theirsSmall = bytes(4, 70_000);
    Cid theirsBlock =
        Cid.parseText(
            command("put", "file", Files.write(tmp.resolve("ts.bin"), theirsSmall).toString())
                .string("cid"));
    postNaming(n, theirsRoot, theirs.length);
    postNaming(n, theirsBlock, theirsSmall.length);
    assertThat(read(n, theirsRoot.toString())).isEqualTo(theirs);
    assertThat(read(n, theirsBlock.toString())).isEqualTo(theirsSmall);
    assertThat(n.media().counters().get("bitswap_blocks_received")).isGreaterThanOrEqualTo(5L);
  }
}
