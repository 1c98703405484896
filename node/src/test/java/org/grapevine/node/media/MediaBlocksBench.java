package org.grapevine.node.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.grapevine.libp2p.bitswap.Cid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * Where media blocks should live, measured (issue 18): one file per block in a directory (written
 * to a temporary name, then renamed, with and without fsync) against RocksDB's integrated BlobDB
 * (values in blob files, keys in the LSM; WAL on, with and without sync). Writes and reads 50 MiB
 * as 1 MiB blocks and 1,000 blocks of 20 KiB (2 rounds each, the last reported). Not a test: it
 * asserts nothing and runs only when asked:
 *
 * <pre>
 * ./mvnw -B -q test -pl node -am -Dtest=MediaBlocksBench -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dmedia.bench=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "media.bench", matches = "true")
class MediaBlocksBench {
  @TempDir Path dir;

  interface Blocks extends AutoCloseable {
    void put(Cid cid, byte[] data) throws Exception;

    byte[] get(Cid cid) throws Exception;

    @Override
    void close();
  }

  @Test
  void compare() throws Exception {
    List<byte[]> big = blocks(50, 1 << 20, 1);
    List<byte[]> small = blocks(1000, 20 << 10, 2);
    for (String mode : List.of("files-fsync", "files-nosync", "blobdb-wal", "blobdb-sync")) {
      for (int round = 0; round < 2; round++) {
        boolean last = round == 1;
        run(mode, "50 x 1 MiB", big, round, last);
        run(mode, "1000 x 20 KiB", small, round, last);
      }
    }
  }

  private void run(String mode, String what, List<byte[]> data, int round, boolean print)
      throws Exception {
    Path where = dir.resolve(mode + "-" + data.size() + "-" + round);
    List<Cid> cids = new ArrayList<>();
    for (byte[] d : data) {
      cids.add(Cid.rawSha256(d));
    }
    long bytes = (long) data.size() * data.get(0).length;
    long writeNanos;
    long readNanos;
    try (Blocks blocks = open(mode, where)) {
      long t0 = System.nanoTime();
      for (int i = 0; i < data.size(); i++) {
        blocks.put(cids.get(i), data.get(i));
      }
      writeNanos = System.nanoTime() - t0;
      long t1 = System.nanoTime();
      long sum = 0;
      for (Cid c : cids) {
        sum += blocks.get(c).length;
      }
      readNanos = System.nanoTime() - t1;
      if (sum != bytes) {
        throw new IllegalStateException("read " + sum + " of " + bytes);
      }
    }
    if (print) {
      System.out.printf(
          Locale.ROOT,
          "%-13s %-14s write %8.1f ms (%7.1f MiB/s, %6.0f us/block)  read %7.1f ms (%7.1f MiB/s)%n",
          mode,
          what,
          writeNanos / 1e6,
          bytes / 1048576.0 / (writeNanos / 1e9),
          writeNanos / 1e3 / data.size(),
          readNanos / 1e6,
          bytes / 1048576.0 / (readNanos / 1e9));
    }
  }

  private static Blocks open(String mode, Path where) throws Exception {
    Files.createDirectories(where);
    return switch (mode) {
      case "files-fsync" -> new FileBlocks(where, true);
      case "files-nosync" -> new FileBlocks(where, false);
      case "blobdb-wal" -> new BlobBlocks(where, false);
      case "blobdb-sync" -> new BlobBlocks(where, true);
      default -> throw new IllegalArgumentException(mode);
    };
  }

  private static List<byte[]> blocks(int n, int size, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[size];
      r.nextBytes(b);
      out.add(b);
    }
    return out;
  }

  /** {@code <dir>/<2 hex>/<cid>}: temp file, optional fsync, atomic rename. */
  private record FileBlocks(Path dir, boolean sync) implements Blocks {
    @Override
    public void put(Cid cid, byte[] data) throws IOException {
      String name = cid.toString();
      Path shard = dir.resolve(name.substring(name.length() - 2));
      Files.createDirectories(shard);
      Path tmp = shard.resolve(name + ".tmp");
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(data);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (sync) {
          ch.force(true);
        }
      }
      Files.move(tmp, shard.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public byte[] get(Cid cid) throws IOException {
      String name = cid.toString();
      return Files.readAllBytes(dir.resolve(name.substring(name.length() - 2)).resolve(name));
    }

    @Override
    public void close() {}
  }

  /** One RocksDB, blob files on for values of 4 KiB and more, no compression (media is). */
  private static final class BlobBlocks implements Blocks {
    private final Options options;
    private final WriteOptions write;
    private final RocksDB db;

    BlobBlocks(Path dir, boolean sync) throws Exception {
      RocksDB.loadLibrary();
      options =
          new Options()
              .setCreateIfMissing(true)
              .setEnableBlobFiles(true)
              .setMinBlobSize(4096)
              .setBlobFileSize(64L << 20)
              .setBlobCompressionType(CompressionType.NO_COMPRESSION)
              .setEnableBlobGarbageCollection(true)
              .setWriteBufferSize(8L << 20);
      write = new WriteOptions().setSync(sync);
      db = RocksDB.open(options, dir.toString());
    }

    @Override
    public void put(Cid cid, byte[] data) throws Exception {
      db.put(write, cid.bytes(), data);
    }

    @Override
    public byte[] get(Cid cid) throws Exception {
      return db.get(cid.bytes());
    }

    @Override
    public void close() {
      db.close();
      write.close();
      options.close();
    }
  }
}
