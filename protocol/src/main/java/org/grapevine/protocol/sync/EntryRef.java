package org.grapevine.protocol.sync;

import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.identity.Identity;

/**
 * An entry asked for by reference (sync.proto step 5a, content.proto {@code Ref}): the identity
 * whose device wrote it, and its id.
 */
public record EntryRef(Identity identity, EntryId entry) {}
