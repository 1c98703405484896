package org.grapevine.node.media;

import java.util.Map;

/**
 * The store's figures: {@code referencedBytes} (declared bytes of distinct referenced files, what
 * the total budget checks), {@code storedBytes} and {@code storedBlocks} (blocks on disk, each
 * counted once however many files share it), outcomes of puts and references since open, and {@code
 * sweptFiles}: block files found at open that no index row named (a crash between writing a file
 * and its index row), deleted.
 */
public record MediaUsage(
    long referencedBytes,
    long storedBytes,
    long storedBlocks,
    Map<PutOutcome, Long> puts,
    Map<ReferenceOutcome, Long> references,
    long sweptFiles) {
  public MediaUsage {
    puts = Map.copyOf(puts);
    references = Map.copyOf(references);
  }
}
