/**
 * A running Grapevine participant: {@link org.grapevine.node.Node} (the composition root) wires the
 * RocksDB store ({@code storage}), the ingestion engine ({@code engine}), gossip ({@code gossip}),
 * catch-up sync ({@code sync}), discovery ({@code discovery}), config ({@code config}), metrics
 * ({@code metrics}) and the local HTTP API ({@code api}); {@code core} holds the sans-I/O node
 * rules. Which package owns what: docs/ARCHITECTURE.md.
 */
package org.grapevine.node;
