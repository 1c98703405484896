package org.grapevine.node.storage;

import org.grapevine.protocol.entry.ContentHash;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;

/**
 * A held entry whose content this node lacks while no held delete names it: the content is missing,
 * not deleted, and is fetched by {@code hash} (docs/ARCHITECTURE.md, "Store").
 *
 * @param size the content size the signed entry declares
 */
public record MissingContent(
    Identity identity, EntryId id, AuthorKey author, long seq, ContentHash hash, long size) {}
