package org.grapevine.cli;

/**
 * What the exit status of {@code grapevine} means; stable, because scripts test it. Listed in the
 * root command's help footer and in the README.
 */
public final class ExitCode {
  /** The command did what was asked. */
  public static final int OK = 0;

  /**
   * It could not: bad input (empty or oversize post, unknown identity, ambiguous prefix, wrong
   * passphrase), a refused request, a broken file.
   */
  public static final int ERROR = 1;

  /** The command line itself is wrong (unknown option, missing argument). */
  public static final int USAGE = 2;

  /** The command needs a running node and none answers for the data directory. */
  public static final int NO_NODE = 3;

  /**
   * The command signs with the identity's root key (device add and revoke, identity export), and
   * the data directory does not hold it: it was moved offline (or this device never had it). Every
   * other command works without it; {@code grapevine identity import} brings it back.
   */
  public static final int ROOT_KEY_OFFLINE = 4;

  private ExitCode() {}
}
