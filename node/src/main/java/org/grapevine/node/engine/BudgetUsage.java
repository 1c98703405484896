package org.grapevine.node.engine;

import org.grapevine.protocol.identity.Identity;

/**
 * How much of its quota an identity uses ({@code Node.usage}; docs/ARCHITECTURE.md "Budgets"), so
 * that a budget can be shown to the user rather than exceeded silently. The API does not show it
 * yet.
 *
 * @param usedBytes content bytes held for the identity over all its logs
 * @param quotaBytes the node's per-identity quota
 */
public record BudgetUsage(Identity identity, long usedBytes, long quotaBytes) {
  /** Whether new content of this identity is being dropped (the quota is reached). */
  public boolean full() {
    return usedBytes >= quotaBytes;
  }
}
