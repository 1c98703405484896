package org.grapevine.node.runtime;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The node's storage thread: the one thread that owns the store, the engine and the node core. At
 * close, a pending timer (the core's next periodic round) is dropped, not waited for: by default a
 * delayed task outlives {@code shutdown}, so closing waited out its grace time, closed the store,
 * and the timer then ran on the closed RocksDB (a native crash).
 */
public final class StorageThread implements AutoCloseable {
  private final ScheduledThreadPoolExecutor executor =
      new ScheduledThreadPoolExecutor(
          1,
          r -> {
            Thread t = new Thread(r, "grapevine-storage");
            t.setDaemon(true);
            return t;
          });

  public StorageThread() {
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  public ScheduledExecutorService executor() {
    return executor;
  }

  /**
   * Runs {@code task} on the thread and waits for it; its runtime exceptions are rethrown as they
   * are.
   */
  public <T> T call(Callable<T> task) {
    try {
      return executor.submit(task).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /**
   * Runs {@code task} on the thread every {@code seconds}, first after one period. A failure is
   * logged (saying {@code what} failed) and the task runs again at the next period: an exception
   * would otherwise end a periodic task without a word. Ends at {@link #close}.
   */
  public java.util.concurrent.ScheduledFuture<?> every(long seconds, Runnable task, String what) {
    return executor.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(StorageThread.class).warn("{} failed", what, e);
          }
        },
        seconds,
        seconds,
        java.util.concurrent.TimeUnit.SECONDS);
  }

  /** Runs {@code task} on the thread and waits for it. */
  public void run(Runnable task) {
    call(
        () -> {
          task.run();
          return null;
        });
  }

  /** Lets queued work finish (at most 10 s), drops pending timers. */
  @Override
  public void close() {
    executor.shutdown();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
