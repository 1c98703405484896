package org.grapevine.cli.p2p;

import java.io.Console;
import java.util.Optional;

/**
 * The terminal the CLI runs in, if any. From JDK 22 on, {@code System.console()} is not null even
 * when no terminal is attached (input or output redirected); its {@code isTerminal()} (JDK 22+)
 * tells. Looked up reflectively: this code compiles for JDK 17.
 */
public final class Terminal {
  private Terminal() {}

  /** The console, present only when a terminal is attached. */
  @SuppressWarnings("SystemConsoleNull") // null is how JDK 17 to 21 say "no terminal"; 22+ is asked
  public static Optional<Console> console() {
    Console console = System.console();
    return console != null && isTerminal(console) ? Optional.of(console) : Optional.empty();
  }

  /** Whether a terminal is attached. */
  public static boolean attached() {
    return console().isPresent();
  }

  private static boolean isTerminal(Console console) {
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (NoSuchMethodException jdk17) {
      return true; // Before JDK 22 a console exists only with a terminal.
    } catch (ReflectiveOperationException e) {
      return false;
    }
  }
}
