package org.grapevine.node.search;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** {@link IndexingQueue}: order, catching up, close runs what is queued. */
class IndexingQueueTest {
  @Test
  void submit_runsInOrder_awaitDrainedSeesEveryEarlierTask() throws Exception {
    IndexingQueue q = new IndexingQueue("test-indexing");
    List<Integer> ran = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 1000; i++) {
      int n = i;
      q.submit(() -> ran.add(n));
    }
    assertThat(q.awaitDrained(60_000)).isTrue();
    assertThat(ran).hasSize(1000);
    for (int i = 0; i < 1000; i++) {
      assertThat(ran.get(i)).isEqualTo(i);
    }
    q.close();
  }

  @Test
  void close_runsWhatIsQueued_thenRefusesMore() {
    IndexingQueue q = new IndexingQueue("test-indexing");
    List<Integer> ran = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 100; i++) {
      int n = i;
      q.submit(() -> ran.add(n));
    }
    q.close();
    assertThat(ran).hasSize(100);
    assertThatThrownBy(() -> q.submit(() -> {})).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aTaskThatThrows_doesNotStopTheOthers() throws Exception {
    IndexingQueue q = new IndexingQueue("test-indexing");
    List<Integer> ran = new CopyOnWriteArrayList<>();
    q.submit(
        () -> {
          throw new IllegalStateException("a bug in a task");
        });
    q.submit(() -> ran.add(1));
    assertThat(q.awaitDrained(60_000)).isTrue();
    assertThat(ran).containsExactly(1);
    q.close();
  }
}
