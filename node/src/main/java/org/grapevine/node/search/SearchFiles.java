package org.grapevine.node.search;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;

/** The files of {@link SearchIndex}'s crash rule: the unclean marker, and what a rebuild clears. */
final class SearchFiles {
  private SearchFiles() {}

  /**
   * Why the index in {@code directory} must be rebuilt before use: the marker is there (not closed
   * cleanly), there is no index, or its last commit says another format; null when it may be used.
   */
  static String staleReason(Path directory, String formatKey, String expected) {
    if (Files.exists(directory.resolve(SearchIndex.UNCLEAN))) {
      return "the node did not close it cleanly";
    }
    try (FSDirectory d = FSDirectory.open(directory.resolve("index"))) {
      if (!DirectoryReader.indexExists(d)) {
        return "no index yet";
      }
      String format = SegmentInfos.readLatestCommit(d).getUserData().get(formatKey);
      return expected.equals(format) ? null : "index format " + format + ", expected " + expected;
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }

  /** Creates the marker (empty) and forces it to disk. */
  static void writeMarker(Path marker) throws IOException {
    try (FileChannel c =
        FileChannel.open(marker, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      c.force(true);
    }
  }

  /** Deletes {@code root} and everything under it, if it exists. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
