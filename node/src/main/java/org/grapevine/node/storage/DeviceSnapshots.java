package org.grapevine.node.storage;

import java.lang.ref.WeakReference;
import java.util.SortedMap;
import java.util.WeakHashMap;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.validation.DeviceStatus;

/**
 * One copy of each identity's device snapshot among the {@link MemoryPostStore}s that share this:
 * in a simulation every node keeping an identity folds the same delegations into an equal snapshot,
 * and at 20,000 nodes those copies (a TreeMap, its entries, wrappers and views per identity and
 * node) were 6% of the heap. Snapshots are unmodifiable and equal by content, so which copy a store
 * holds changes nothing it answers. Held weakly: a snapshot no store refers to goes at the next
 * collection. Thread-safe (stores of the real engine's nodes may fold on several threads).
 */
public final class DeviceSnapshots {
  private final WeakHashMap<
          SortedMap<AuthorKey, DeviceStatus>, WeakReference<SortedMap<AuthorKey, DeviceStatus>>>
      canonical = new WeakHashMap<>();

  /** The copy held for {@code snapshot}'s content: an equal one made before, or this one. */
  synchronized SortedMap<AuthorKey, DeviceStatus> share(
      SortedMap<AuthorKey, DeviceStatus> snapshot) {
    WeakReference<SortedMap<AuthorKey, DeviceStatus>> ref = canonical.get(snapshot);
    SortedMap<AuthorKey, DeviceStatus> held = ref == null ? null : ref.get();
    if (held != null) {
      return held;
    }
    canonical.put(snapshot, new WeakReference<>(snapshot));
    return snapshot;
  }
}
