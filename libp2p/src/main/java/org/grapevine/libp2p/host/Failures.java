package org.grapevine.libp2p.host;

/** Failures of a host's futures, said in a few words for logs and {@link DialException}s. */
final class Failures {
  private Failures() {}

  /** The cause behind completion wrappers, or "timed out"; its message, else its class. */
  static String describe(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException
            || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof java.util.concurrent.TimeoutException) {
      return "timed out";
    }
    String m = c.getMessage();
    return m == null ? c.getClass().getSimpleName() : m;
  }
}
