package org.grapevine.node.media;

/** What {@link MediaStore#addReference} did; every refusal is counted in {@link MediaUsage}. */
public enum ReferenceOutcome {
  /** The entry now refers to the file; fetch what {@link MediaStore#missing} lists. */
  ADDED,
  /** This entry already referred to this file. */
  DUPLICATE,
  /** The author's distinct files would pass {@link MediaBudgets#perAuthorBytes}. */
  REFUSED_AUTHOR_QUOTA,
  /** All distinct files would pass {@link MediaBudgets#totalBytes}. */
  REFUSED_TOTAL_BUDGET,
  /**
   * The declared size cannot be (negative, over 4 GiB, a raw block over 1 MiB), or differs from the
   * size another entry declared for the same file: the author's fault.
   */
  REFUSED_BAD_SIZE
}
