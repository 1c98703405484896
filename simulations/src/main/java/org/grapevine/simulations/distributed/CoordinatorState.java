package org.grapevine.simulations.distributed;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The coordinator's view of its agents, without I/O: who joined (and under which number), which
 * barrier each has passed, when each was last heard from, and who failed, when and how. Reader
 * threads report into it; the coordinator's main thread waits on it. Times are the coordinator's
 * {@code System.nanoTime()}.
 */
final class CoordinatorState {
  /** The barriers, in order: each agent reports each once. */
  enum Barrier {
    STARTED,
    CONNECTED,
    FOLLOWED,
    FINAL
  }

  /**
   * An agent that failed.
   *
   * @param atNanos when the coordinator saw it (coordinator clock)
   * @param phase what the run was doing then
   * @param what what was seen (connection closed, silent, an error it reported)
   */
  record Failure(int agent, String address, long atNanos, String phase, String what) {}

  private final int agents;
  private final String[] address;
  private final long[] lastHeard;
  private final List<Set<Barrier>> passed = new ArrayList<>();
  private final List<Failure> failures = new ArrayList<>();
  private final boolean[] failed;
  private int joined;
  private long version; // Counts changes, for awaitChange.
  private String phase = "joining";

  CoordinatorState(int agents) {
    this.agents = agents;
    this.address = new String[agents];
    this.lastHeard = new long[agents];
    this.failed = new boolean[agents];
    for (int i = 0; i < agents; i++) {
      passed.add(EnumSet.noneOf(Barrier.class));
    }
  }

  int agents() {
    return agents;
  }

  /**
   * Admits an agent: the number it asked for when free (a launcher numbers its agents), else the
   * lowest free one; -1 when all numbers are taken.
   */
  synchronized int join(int wanted, String from, long now) {
    int number = -1;
    if (wanted >= 0 && wanted < agents && address[wanted] == null) {
      number = wanted;
    } else {
      for (int i = 0; i < agents && number < 0; i++) {
        if (address[i] == null) {
          number = i;
        }
      }
    }
    if (number >= 0) {
      address[number] = from;
      lastHeard[number] = now;
      joined++;
      version++;
      notifyAll();
    }
    return number;
  }

  synchronized int joined() {
    return joined;
  }

  /** The numbers no agent took yet. */
  synchronized List<Integer> missing() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      if (address[i] == null) {
        out.add(i);
      }
    }
    return out;
  }

  synchronized String address(int agent) {
    return address[agent];
  }

  synchronized void phase(String now) {
    phase = now;
  }

  synchronized String phase() {
    return phase;
  }

  synchronized void heard(int agent, long now) {
    lastHeard[agent] = now;
  }

  synchronized void passed(int agent, Barrier b) {
    passed.get(agent).add(b);
    version++;
    notifyAll();
  }

  /** Whether every agent that has not failed passed {@code b}. */
  synchronized boolean allPassed(Barrier b) {
    return waitingFor(b).isEmpty();
  }

  /** The live agents that have not passed {@code b}. */
  synchronized List<Integer> waitingFor(Barrier b) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      if (!failed[i] && !passed.get(i).contains(b)) {
        out.add(i);
      }
    }
    return out;
  }

  /** Records the agent's first failure (later ones add nothing: the first says why). */
  synchronized void fail(int agent, String what, long now) {
    if (!failed[agent]) {
      failed[agent] = true;
      failures.add(new Failure(agent, address[agent], now, phase, what));
      version++;
      notifyAll();
    }
  }

  synchronized boolean alive(int agent) {
    return !failed[agent];
  }

  synchronized List<Failure> failures() {
    return List.copyOf(failures);
  }

  /** The live agents not heard from for longer than {@code limitNanos}. */
  synchronized List<Integer> silent(long now, long limitNanos) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < agents; i++) {
      if (address[i] != null && !failed[i] && now - lastHeard[i] > limitNanos) {
        out.add(i);
      }
    }
    return out;
  }

  /** Waits up to {@code millis} for any change (a join, a barrier passed, a failure). */
  synchronized void awaitChange(long millis) throws InterruptedException {
    long seen = version;
    long deadline = System.nanoTime() + Math.max(1, millis) * 1_000_000L;
    long left;
    while (version == seen && (left = deadline - System.nanoTime()) > 0) {
      wait(Math.max(1, left / 1_000_000L));
    }
  }
}
