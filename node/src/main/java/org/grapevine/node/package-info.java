/**
 * A running Grapevine participant: RocksDB store, ingestion, follow = subscribe, catch-up sync,
 * discovery, local API. Not yet implemented; see the open node issue.
 */
package org.grapevine.node;
