package org.grapevine.node.media;

/**
 * How many media bytes the store takes from others: {@code perAuthorBytes} for the distinct files
 * one author's entries attach, {@code totalBytes} for all distinct files together. Counted in
 * declared file bytes (a file shared by several entries or authors counts once per author and once
 * in the total). Our own user's media is never refused by either ({@link MediaOrigin#OWN}): the
 * budgets keep other people from filling our disk, not us from posting; own bytes still count in
 * the total, so others get less room when we post more.
 */
public record MediaBudgets(long perAuthorBytes, long totalBytes) {
  /** 256 MiB per author, 2 GiB in all: a few hundred photos each, on a small disk. */
  public static final MediaBudgets DEFAULTS = new MediaBudgets(256L << 20, 2L << 30);

  public MediaBudgets {
    if (perAuthorBytes < 0 || totalBytes < 0) {
      throw new IllegalArgumentException("negative media budget");
    }
  }
}
