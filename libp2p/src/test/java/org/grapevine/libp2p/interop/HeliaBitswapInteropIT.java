package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.grapevine.libp2p.bitswap.BitswapEvent.PeerMisbehaved;
import org.grapevine.libp2p.bitswap.BitswapLimits;
import org.grapevine.libp2p.bitswap.BlockSource;
import org.grapevine.libp2p.bitswap.Cid;
import org.grapevine.libp2p.bitswap.netty.BitswapService;
import org.grapevine.libp2p.crypto.PrivKey;
import org.grapevine.libp2p.host.Host;
import org.grapevine.libp2p.host.HostConfig;
import org.grapevine.libp2p.multiaddr.Multiaddr;
import org.grapevine.libp2p.peer.PeerId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bitswap 1.2.0 between our {@link BitswapService} and Helia (helia 7.1.15, its Bitswap 4.0.19;
 * libp2p/src/test/js/helia, README.md "Helia"), over TCP + Noise + Yamux on 127.0.0.1: Helia
 * fetches blocks we hold (also one we get only after it asked), we fetch raw blocks and the root
 * and leaves of a UnixFS file Helia added.
 */
@Timeout(180)
class HeliaBitswapInteropIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  private final AtomicInteger ids = new AtomicInteger();
  private final Store store = new Store();
  private final BlockingQueue<PeerMisbehaved> faults = new LinkedBlockingQueue<>();
  private Host host;
  private BitswapService bitswap;
  private JsPeer helia;
  private PeerId heliaId;

  static final class Store implements BlockSource {
    final Map<Cid, byte[]> blocks = new ConcurrentHashMap<>();

    Cid put(byte[] data) {
      Cid cid = Cid.rawSha256(data);
      blocks.put(cid, data.clone());
      return cid;
    }

    @Override
    public boolean has(Cid cid) {
      return blocks.containsKey(cid);
    }

    @Override
    public Optional<byte[]> get(Cid cid) {
      return Optional.ofNullable(blocks.get(cid)).map(byte[]::clone);
    }
  }

  @BeforeEach
  void start() throws Exception {
    JsInterop.assumeHeliaAvailable();
    host =
        new Host(
            HostConfig.builder(PrivKey.generate(RANDOM))
                .listen("/ip4/127.0.0.1/tcp/0")
                .inboundRate(1000, 1000)
                .build());
    host.start();
    bitswap = BitswapService.start(host, store, BitswapLimits.defaults(), faults::add);
    helia = JsPeer.listenScript(JsInterop.heliaScript(), "--timeout", "170");
    heliaId = PeerId.parse(helia.peerId());
    host.dial(Multiaddr.parse(helia.dialAddr())).get(30, TimeUnit.SECONDS);
    // Helia sends wants only to peers whose identify lists Bitswap.
    helia.awaitEvent(
        "identify",
        e ->
            e.string("peer").equals(host.peerId().toString())
                && e.strings("protocols").contains(BitswapService.PROTOCOL),
        WAIT);
  }

  @AfterEach
  void stop() {
    if (helia != null) {
      helia.close();
    }
    if (bitswap != null) {
      bitswap.close();
    }
    if (host != null) {
      host.close();
    }
  }

  private static byte[] bytes(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Sends one command to Helia and returns its result event, which must be ok. */
  private JsEvent command(String cmd, String... fields) {
    String id = Integer.toString(ids.incrementAndGet());
    helia.send(json(id, cmd, fields));
    JsEvent r = helia.awaitEvent("result", e -> id.equals(e.string("id")), WAIT);
    assertThat(r.bool("ok")).as("Helia %s: %s", cmd, r.line()).isTrue();
    return r;
  }

  private static String json(String id, String cmd, String... fields) {
    StringBuilder sb = new StringBuilder("{\"id\":\"").append(id).append("\",\"cmd\":\"");
    sb.append(cmd).append('"');
    for (int i = 0; i < fields.length; i += 2) {
      sb.append(",\"").append(fields[i]).append("\":\"").append(fields[i + 1]).append('"');
    }
    return sb.append('}').toString();
  }

  private Path write(String name, byte[] data) throws Exception {
    return Files.write(dir.resolve(name), data);
  }

  @Test
  void heliaFetchesOneRawBlockWeHold() throws Exception {
    byte[] data = bytes(1, 200_000);
    Cid cid = store.put(data);
    Path out = dir.resolve("got.bin");

    JsEvent r = command("get", "cid", cid.toString(), "file", out.toString());

    assertThat(r.string("cid")).isEqualTo(cid.toString());
    assertThat(Files.readAllBytes(out)).isEqualTo(data);
    assertThat(bitswap.counters().blocksSent()).isEqualTo(1);
    assertThat(faults).isEmpty();
  }

  @Test
  void heliaFetchesEightBlocksOfOneMiBWeHold() throws Exception {
    List<byte[]> blocks = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      blocks.add(bytes(10 + i, 1 << 20));
      Cid cid = store.put(blocks.get(i));
      String id = "get-" + i;
      ids.add(id);
      helia.send(
          json(id, "get", "cid", cid.toString(), "file", dir.resolve(i + ".bin").toString()));
    }

    for (int i = 0; i < 8; i++) {
      String id = ids.get(i);
      JsEvent r = helia.awaitEvent("result", e -> id.equals(e.string("id")), WAIT);
      assertThat(r.bool("ok")).as(r.line()).isTrue();
      assertThat(Files.readAllBytes(dir.resolve(i + ".bin"))).isEqualTo(blocks.get(i));
    }
    assertThat(bitswap.counters().blockBytesSent()).isGreaterThanOrEqualTo(8L << 20);
    assertThat(faults).isEmpty();
  }

  @Test
  void weFetchOneRawBlockHeliaHolds() throws Exception {
    byte[] data = bytes(2, 300_000);
    JsEvent put = command("put", "file", write("block.bin", data).toString());
    Cid cid = Cid.parseText(put.string("cid"));
    assertThat(cid).isEqualTo(Cid.rawSha256(data));

    byte[] got = bitswap.fetch(cid, List.of(heliaId)).get(60, TimeUnit.SECONDS);

    assertThat(got).isEqualTo(data);
    assertThat(bitswap.counters().blocksReceived()).isEqualTo(1);
    assertThat(faults).isEmpty();
  }

  @Test
  void weFetchTheRootAndRawLeavesOfAUnixFsFileHeliaAdded() throws Exception {
    // 3.5 MiB: four 1 MiB chunks (the last one half), under one dag-pb root.
    byte[] file = bytes(3, (7 << 20) / 2);
    JsEvent added = command("add", "file", write("file.bin", file).toString());
    Cid root = Cid.parseText(added.string("cid"));
    List<String> leaves = added.strings("leaves");
    assertThat(leaves).hasSize(4);
    assertThat(root.codec()).isEqualTo(0x70); // dag-pb

    byte[] rootBlock = bitswap.fetch(root, List.of(heliaId)).get(60, TimeUnit.SECONDS);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (String leaf : leaves) {
      Cid cid = Cid.parseText(leaf);
      assertThat(cid.codec()).isEqualTo(Cid.RAW);
      joined.write(bitswap.fetch(cid, List.of(heliaId)).get(60, TimeUnit.SECONDS));
    }

    assertThat(joined.toByteArray()).isEqualTo(file);
    assertThat(Cid.sha256(0x70, rootBlock)).isEqualTo(root);
    assertThat(bitswap.counters().blocksReceived()).isEqualTo(5);
    assertThat(faults).isEmpty();
  }

  @Test
  void heliaWantsABlockBeforeWeHaveIt_getsItOnceWeDo() throws Exception {
    byte[] data = bytes(4, 50_000);
    Cid cid = Cid.rawSha256(data);
    String id = "late";
    helia.send(json(id, "get", "cid", cid.toString(), "file", dir.resolve("late.bin").toString()));
    // Wait until Helia's want reached us (we keep it in its ledger, answered or not).
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (bitswap.counters().wantsReceived() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(bitswap.counters().wantsReceived()).isPositive();

    store.put(data);
    bitswap.blockAdded(cid);

    JsEvent r = helia.awaitEvent("result", e -> id.equals(e.string("id")), WAIT);
    assertThat(r.bool("ok")).as(r.line()).isTrue();
    assertThat(Files.readAllBytes(dir.resolve("late.bin"))).isEqualTo(data);
    assertThat(bitswap.counters().blocksAddedAnswered()).isPositive();
  }
}
