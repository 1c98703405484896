package org.grapevine.node.engine;

/**
 * This node's user asked for something over a local budget (an attachment over the cap). The
 * caller's fault: the API answers it as a refused request; nothing was signed or stored.
 */
public final class BudgetExceededException extends IllegalArgumentException {
  public BudgetExceededException(String message) {
    super(message);
  }
}
