package org.grapevine.node.api;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.node.storage.PostStore;
import org.grapevine.protocol.entry.EntryId;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.identity.IdentityFormatException;

/**
 * Turns what a person typed into an entry or an identity, accepting any unique prefix as git does:
 * an entry id as 4 to 64 hex digits, an identity as its full 62-character string or a prefix of at
 * least {@link #MIN_IDENTITY_PREFIX} characters ({@code gv1} and four more). Prefixes resolve
 * against what the store holds (entries; identities with a held root log, followed, muted or
 * blocked); a full identity is accepted even when nothing of it is held (to follow it).
 */
final class Resolver {
  static final int MAX_CANDIDATES = 100;
  static final int MIN_ENTRY_PREFIX = 4;
  static final int MIN_IDENTITY_PREFIX = 7;

  private final PostStore store;

  Resolver(PostStore store) {
    this.store = store;
  }

  /** The held entry named by {@code text}. */
  LogEntry entry(String text) {
    String hex = text.strip().toLowerCase(Locale.ROOT);
    if (hex.length() < MIN_ENTRY_PREFIX || hex.length() > 64 || !hex.matches("[0-9a-f]+")) {
      throw ApiError.badRequest(
          "'"
              + abbreviate(text)
              + "' is not an entry id: give "
              + MIN_ENTRY_PREFIX
              + " to 64 hex digits of it");
    }
    List<EntryId> ids = store.entryIdsWithPrefix(hex, MAX_CANDIDATES);
    if (ids.isEmpty()) {
      throw ApiError.notFound("no held entry has an id starting with " + hex);
    }
    if (ids.size() > 1) {
      throw ApiError.ambiguousPrefix(hex, ids.size());
    }
    return store
        .entryById(ids.get(0))
        .orElseThrow(() -> ApiError.notFound("entry " + ids.get(0) + " is not held"));
  }

  /** The identity named by {@code text}. */
  Identity identity(String text) {
    String s = text.strip();
    if (s.length() == Identity.STRING_LENGTH) {
      try {
        return Identity.parse(s);
      } catch (IdentityFormatException e) {
        throw ApiError.badRequest(e.getMessage());
      }
    }
    String prefix = s.toLowerCase(Locale.ROOT);
    if (prefix.length() < MIN_IDENTITY_PREFIX
        || prefix.length() > Identity.STRING_LENGTH
        || !prefix.startsWith(Identity.HRP + "1")) {
      throw ApiError.badRequest(
          "'"
              + abbreviate(text)
              + "' is not an identity: give the whole gv1... string or at least its first "
              + MIN_IDENTITY_PREFIX
              + " characters");
    }
    Set<Identity> known = new TreeSet<>(store.identities());
    known.addAll(store.follows());
    known.addAll(store.mutes());
    known.addAll(store.blocks());
    List<Identity> matches =
        known.stream().filter(i -> i.toString().startsWith(prefix)).limit(MAX_CANDIDATES).toList();
    if (matches.isEmpty()) {
      throw ApiError.notFound("no known identity starts with " + prefix);
    }
    if (matches.size() > 1) {
      throw ApiError.ambiguousPrefix(prefix, matches.size());
    }
    return matches.get(0);
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
