package org.grapevine.node.storage;

import java.util.List;

/** {@link StoreTesting}'s dumps for tests outside the storage package (crash and node tests). */
public final class StoreDumps {
  private StoreDumps() {}

  /** Every derived row (heads, devices, indexes, byte counts), in family and key order. */
  public static List<String> derived(RocksPostStore store) {
    return StoreTesting.dumpDerived(store);
  }
}
