package org.grapevine.node.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our own exclusive lock on a store directory, taken before RocksDB opens it, so that "held by
 * someone else" is a type ({@link StoreLockedException}) rather than RocksDB's error text (its Java
 * API reports a held LOCK file only as an IOError status with a message).
 *
 * <p>Two layers, because of how POSIX record locks work: within this JVM a set of held directories
 * answers (a second {@code FileChannel} on the file must never be opened and closed, since closing
 * any descriptor of a file drops every lock the process holds on it); across processes the OS lock
 * on {@value #FILE_NAME} answers.
 */
final class StoreLock implements AutoCloseable {
  static final String FILE_NAME = "grapevine.lock";
  private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private StoreLock(Path key, FileChannel channel, FileLock lock) {
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Locks {@code directory}, which must exist.
   *
   * @throws StoreLockedException if another open store, here or in another process, holds it
   */
  static StoreLock acquire(Path directory) {
    Path key = directory.toAbsolutePath().normalize();
    if (!HELD_IN_THIS_JVM.add(key)) {
      throw new StoreLockedException(directory, "another open store in this process");
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              key.resolve(FILE_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new StoreLockedException(directory, "another process, such as a running node");
      }
      return new StoreLock(key, channel, lock);
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      HELD_IN_THIS_JVM.remove(key);
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(
          "cannot lock the store in " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      // The channel's close below drops the lock anyway.
    } finally {
      closeQuietly(channel);
      HELD_IN_THIS_JVM.remove(key);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // Nothing held on it is worth more than the error we are already reporting.
      }
    }
  }
}
