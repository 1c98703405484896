package org.grapevine.node.storage;

/** The {@link PostStoreContractTest} against the in-memory store of the simulator. */
class MemoryPostStoreTest extends PostStoreContractTest {
  @Override
  PostStore openStore() {
    return new MemoryPostStore();
  }

  @Override
  PostStore openStore(int maxPeers) {
    return new MemoryPostStore(maxPeers);
  }
}
