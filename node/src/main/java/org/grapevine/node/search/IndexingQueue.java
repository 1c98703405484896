package org.grapevine.node.search;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The search index's own writer thread: the engine's thread hands it each store write as a task
 * (cheap: no analysis, no Lucene), and it runs them one at a time, in the order given. Lucene's
 * analysis and inversion then cost the engine's thread nothing.
 *
 * <p>Rules:
 *
 * <ol>
 *   <li>Tasks run in submission order, on one thread: a delete's task runs after its target's.
 *   <li>{@link #submit} blocks while {@link #CAPACITY} tasks wait (back-pressure, never a drop).
 *   <li>{@link #awaitDrained} waits until every task submitted before it has run: a search after a
 *       write sees it.
 *   <li>{@link #close} runs what is queued, then ends the thread; submit after close is a bug.
 * </ol>
 *
 * A task must not throw (the index catches and logs its own failures); one that does is logged by
 * the thread's handler and the thread goes on.
 */
final class IndexingQueue {
  /** Tasks waiting at most: a few seconds of ingestion at full speed. */
  static final int CAPACITY = 8192;

  /** The task that ends the thread: compared by identity. */
  private static final class Stop implements Runnable {
    @Override
    public void run() {}
  }

  private static final Runnable STOP = new Stop();

  private final BlockingQueue<Runnable> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final AtomicLong submitted = new AtomicLong();
  private final Object progress = new Object();
  private final Thread thread;

  /** Guarded by {@code progress}. */
  private long done;

  private volatile boolean closed;

  IndexingQueue(String name) {
    this.thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code task}; blocks while the queue is full. */
  void submit(Runnable task) {
    if (closed) {
      throw new IllegalStateException("the search index is closed");
    }
    try {
      queue.put(task);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while handing a write to the search index", e);
    }
    submitted.incrementAndGet();
  }

  /**
   * Waits until every task submitted before this call has run, at most {@code maxMillis} (a bound
   * so that a search never hangs on a stuck index; it then sees what is indexed so far).
   *
   * @return false if the time ran out first
   */
  boolean awaitDrained(long maxMillis) throws InterruptedException {
    long target = submitted.get();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    synchronized (progress) {
      while (done < target) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
    }
    return true;
  }

  /** Runs every queued task, then ends the thread. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (true) {
      Runnable task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        return;
      }
      if (task == STOP) {
        return;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        Thread.UncaughtExceptionHandler h = Thread.getDefaultUncaughtExceptionHandler();
        if (h != null) {
          h.uncaughtException(thread, e);
        }
      }
      synchronized (progress) {
        done++;
        progress.notifyAll();
      }
    }
  }
}
