package org.grapevine.node.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.grapevine.libp2p.bitswap.Cid;

/**
 * Block files: {@code <dir>/<last two characters of the CID>/<CID text>}, one file per block. The
 * two-character shard keeps directories to a few hundred entries at our budgets. A block is written
 * to {@code <name>.tmp}, forced to disk, then renamed over the final name: a file under a CID's
 * name is always whole (a crash leaves at most a {@code .tmp}, deleted at open). Why files and not
 * BlobDB: {@code MediaBlocksBench}, figures in docs of {@link MediaStore}.
 */
final class BlockFiles {
  private static final String TMP = ".tmp";

  private final Path dir;

  BlockFiles(Path dir) {
    this.dir = dir;
  }

  private Path path(Cid cid) {
    String name = cid.toString();
    return dir.resolve(name.substring(name.length() - 2)).resolve(name);
  }

  void write(Cid cid, byte[] data) {
    Path target = path(cid);
    Path tmp = target.resolveSibling(target.getFileName() + TMP);
    try {
      Files.createDirectories(target.getParent());
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
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("writing media block " + target, e);
    }
  }

  byte[] read(Cid cid) {
    try {
      return Files.readAllBytes(path(cid));
    } catch (IOException e) {
      throw new UncheckedIOException("reading media block " + cid, e);
    }
  }

  InputStream stream(Cid cid) {
    try {
      return Files.newInputStream(path(cid));
    } catch (IOException e) {
      throw new UncheckedIOException("opening media block " + cid, e);
    }
  }

  void delete(Cid cid) {
    try {
      Files.deleteIfExists(path(cid));
    } catch (IOException e) {
      throw new UncheckedIOException("deleting media block " + cid, e);
    }
  }

  /** Every block file name and every leftover temporary file, for the sweep at open. */
  List<Path> list() {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(dir, 2)) {
      files.filter(Files::isRegularFile).forEach(out::add);
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir, e);
    }
    return out;
  }

  static boolean isTemporary(Path p) {
    return p.getFileName().toString().endsWith(TMP);
  }
}
