package org.grapevine.node.storage;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The store's column families. Public only for {@code migrations}; not an API of the node. Which
 * keys live where is written beside each builder in {@link Keys}.
 */
public final class ColumnFamilies {
  /** In open order; "default" first, as RocksDB requires. */
  static final List<String> NAMES =
      List.of("default", "entries", "content", "heads", "devices", "indexes", "local", "meta");

  private final List<ColumnFamilyHandle> handles;

  ColumnFamilies(List<ColumnFamilyHandle> handles) {
    if (handles.size() != NAMES.size()) {
      throw new IllegalStateException(
          "expected " + NAMES.size() + " column families, got " + handles.size());
    }
    this.handles = List.copyOf(handles);
  }

  static byte[] nameBytes(String name) {
    return name.getBytes(StandardCharsets.UTF_8);
  }

  /** Signed entries and fork evidence. */
  public ColumnFamilyHandle entries() {
    return handles.get(1);
  }

  /** Content bytes by (hash, entry id). */
  public ColumnFamilyHandle content() {
    return handles.get(2);
  }

  /** Contiguous head per author. */
  public ColumnFamilyHandle heads() {
    return handles.get(3);
  }

  /** Device status per (identity, device), folded from root logs. */
  public ColumnFamilyHandle devices() {
    return handles.get(4);
  }

  /** By-id, time, reply, reaction indexes and per-identity byte counts. */
  public ColumnFamilyHandle indexes() {
    return handles.get(5);
  }

  /** Follows, mutes, peers. */
  public ColumnFamilyHandle local() {
    return handles.get(6);
  }

  /** Schema version and metadata. */
  public ColumnFamilyHandle meta() {
    return handles.get(7);
  }

  /** The derived families, which {@code rebuildIndexes} recomputes. */
  List<ColumnFamilyHandle> derived() {
    return List.of(heads(), devices(), indexes());
  }

  List<ColumnFamilyHandle> all() {
    return handles;
  }
}
