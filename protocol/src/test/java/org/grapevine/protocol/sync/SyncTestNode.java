package org.grapevine.protocol.sync;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.grapevine.protocol.entry.LogEntry;
import org.grapevine.protocol.identity.AuthorKey;
import org.grapevine.protocol.identity.Identity;
import org.grapevine.protocol.validation.ChainChecker;
import org.grapevine.protocol.validation.ChainOutcome;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.MemoryLogView;
import org.grapevine.protocol.validation.Verification;

/**
 * A node's logs for sync tests: a {@link MemoryLogView} behind {@link SyncSource}, and ingestion
 * the way the node does it (EntryValidator, then ChainChecker, then append).
 */
final class SyncTestNode implements SyncSource {
  final MemoryLogView view = new MemoryLogView();
  private final Map<Identity, Set<AuthorKey>> logsOf = new HashMap<>();
  private final EntryValidator validator = new EntryValidator();
  private final ChainChecker checker = new ChainChecker();

  /** Content this node lacks, as its store would list it: asked for in every session. */
  final List<ContentRef> missing = new java.util.ArrayList<>();

  private final Map<org.grapevine.protocol.entry.ContentHash, byte[]> contents = new HashMap<>();

  /** Entries this node wants by reference (sync.proto step 5a): asked for in every session. */
  final List<EntryRef> wanted = new java.util.ArrayList<>();

  private final Map<org.grapevine.protocol.entry.EntryId, LogEntry> byId = new HashMap<>();

  /** The root-log entry that delegated each device. */
  private final Map<AuthorKey, LogEntry> delegations = new HashMap<>();

  /** Stores an entry this node wrote or verified. */
  void add(LogEntry entry) {
    view.append(entry);
    byId.put(entry.id(), entry);
    if (entry.header().kind() == org.grapevine.protocol.entry.ContentKind.DELEGATE_DEVICE) {
      entry
          .content()
          .ifPresent(
              c ->
                  delegations.put(
                      AuthorKey.of(c.getDelegateDevice().getDevice().toByteArray()), entry));
    }
    entry.contentBytes().ifPresent(c -> contents.put(entry.header().contentHash(), c));
    logsOf
        .computeIfAbsent(entry.header().identity(), k -> new TreeSet<>())
        .add(entry.header().author());
  }

  void addAll(List<LogEntry> entries) {
    entries.forEach(this::add);
  }

  /** Validates and stores one envelope from the peer; returns null when fine, else why not. */
  String ingest(byte[] envelope, long nowMillis) {
    Verification v = validator.validate(envelope);
    if (v instanceof Verification.Invalid invalid) {
      return invalid.reason() + ": " + invalid.detail();
    }
    LogEntry entry = ((Verification.Valid) v).entry();
    ChainOutcome outcome = checker.check(entry, view, nowMillis);
    if (outcome instanceof ChainOutcome.Append) {
      add(entry);
      return null;
    }
    return outcome instanceof ChainOutcome.Duplicate ? null : outcome.toString();
  }

  @Override
  public Map<AuthorKey, Long> heads(Identity identity) {
    Map<AuthorKey, Long> heads = new HashMap<>();
    for (AuthorKey author : logsOf.getOrDefault(identity, Set.of())) {
      heads.put(author, view.contiguousHead(author));
    }
    return heads;
  }

  @Override
  public List<ContentRef> missingContent(java.util.Collection<Identity> identities, int max) {
    return missing.stream().filter(r -> identities.contains(r.identity())).limit(max).toList();
  }

  @Override
  public java.util.Optional<byte[]> content(
      Identity identity, org.grapevine.protocol.entry.ContentHash hash) {
    return java.util.Optional.ofNullable(contents.get(hash)).map(byte[]::clone);
  }

  @Override
  public List<EntryRef> wantedEntries(int max) {
    return wanted.stream().limit(max).toList();
  }

  /** The entry with its delegation, as the node serves it: only with content and delegation. */
  @Override
  public java.util.Optional<byte[]> entryByRef(EntryRef ref) {
    LogEntry e = byId.get(ref.entry());
    if (e == null || !e.hasContent() || !e.header().identity().equals(ref.identity())) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.ofNullable(delegations.get(e.header().author()))
        .map(d -> org.grapevine.protocol.addressed.AddressedCodec.encode(e, d));
  }

  @Override
  public long contiguousHead(AuthorKey author) {
    return view.contiguousHead(author);
  }

  @Override
  public List<LogEntry> entries(AuthorKey author, long fromSeq, int maxCount, long maxBytes) {
    return SyncSource.collect(seq -> view.logEntry(author, seq), fromSeq, maxCount, maxBytes);
  }
}
