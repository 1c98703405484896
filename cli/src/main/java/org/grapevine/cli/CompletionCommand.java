package org.grapevine.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code grapevine completion bash|zsh}: a completion script generated from the command tree
 * (picocli AutoComplete).
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description = {
      "Print a shell completion script for every grapevine command and option.",
      "  bash: source <(grapevine completion bash)      (or save it in /etc/bash_completion.d/grapevine)",
      "  zsh:  source <(grapevine completion zsh)"
    })
public final class CompletionCommand implements Callable<Integer> {
  enum Shell {
    bash,
    zsh
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  @Override
  public Integer call() {
    String script = AutoComplete.bash("grapevine", spec.root().commandLine());
    if (shell == Shell.zsh) {
      // picocli's script runs in zsh through bashcompinit.
      script =
          "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
              + script;
    }
    System.out.print(script);
    return 0;
  }
}
