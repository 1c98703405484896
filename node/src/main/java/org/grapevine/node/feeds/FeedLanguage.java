package org.grapevine.node.feeds;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.CelKind;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.grapevine.protocol.Limits;

/**
 * The feed language: CEL (github.com/google/cel-spec) over the {@link ViewField view} of a
 * candidate, with CEL's standard functions and macros and nothing else (no extensions: no loops
 * beyond the macros over bounded lists, no string building functions).
 *
 * <p>What keeps a hostile feed from hurting a node, in the order it is met:
 *
 * <ol>
 *   <li>Size: each expression at most {@link Limits#MAX_FEED_EXPRESSION_BYTES}, parse depth at most
 *       {@link #MAX_DEPTH}, at most {@link #MAX_NODES} nodes.
 *   <li>Types: the checker refuses unknown names, type errors and a result that is not a bool
 *       (filter) or a number (score), each with its line and column.
 *   <li>Cost: {@link FeedCost} bounds the steps one candidate may take before it runs; over the
 *       budget is refused when published and when loaded.
 *   <li>Regular expressions: CEL's {@code matches} runs RE2J (linear time, no backtracking), with a
 *       program size limit ({@link #MAX_REGEX_PROGRAM}).
 *   <li>Run time: most expressions run as a {@link DirectProgram} (CEL's runtime decides whenever
 *       that meets an error or an edge case), the others on CEL's planner runtime. A failure on one
 *       candidate (division by zero, overflow) leaves that candidate out and is counted; a
 *       comprehension is stopped after {@link #MAX_ITERATIONS} steps.
 * </ol>
 *
 * Thread-safe: compiled programs are immutable.
 */
final class FeedLanguage {
  static final int MAX_DEPTH = 100;
  static final int MAX_NODES = 2_000;
  static final int MAX_REGEX_PROGRAM = 200;
  static final int MAX_ITERATIONS = 10_000;

  private static final CelOptions OPTIONS =
      CelOptions.current()
          .maxExpressionCodePointSize(Limits.MAX_FEED_EXPRESSION_BYTES)
          .maxParseRecursionDepth(MAX_DEPTH)
          .maxParseExpressionNodeCount(MAX_NODES)
          .maxParseErrorRecoveryLimit(8)
          .maxRegexProgramSize(MAX_REGEX_PROGRAM)
          .comprehensionMaxIterations(MAX_ITERATIONS)
          // The planner runtime (twice the legacy one's speed here) requires it.
          .enableHeterogeneousNumericComparisons(true)
          .build();

  private static final CelCompiler COMPILER;
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.plannerRuntimeBuilder().setOptions(OPTIONS).build();

  static {
    CelCompilerBuilder b =
        CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS);
    for (ViewField f : ViewField.values()) {
      b.addVar(f.name, f.type);
    }
    COMPILER = b.build();
  }

  private FeedLanguage() {}

  /**
   * One expression compiled: its program, its direct form when it has one ({@link DirectProgram}),
   * and its cost bound per candidate.
   */
  record Compiled(
      String source,
      CelRuntime.Program program,
      Optional<DirectProgram> direct,
      long cost,
      boolean readsTime) {
    /** Evaluates against a candidate with CEL's runtime; a failure is the feed's. */
    Object eval(dev.cel.runtime.CelVariableResolver view) throws CelEvaluationException {
      return program.eval(view);
    }

    /** A filter's verdict: directly when it can be, else (or when deferred) by CEL's runtime. */
    boolean test(CandidateView view) throws CelEvaluationException {
      if (direct.isPresent()) {
        try {
          return direct.get().test(view);
        } catch (DirectProgram.Defer d) {
          // An error or an edge case: CEL's runtime tells, below.
        }
      }
      return Boolean.TRUE.equals(program.eval(view));
    }

    /** A score: directly when it can be, else (or when deferred) by CEL's runtime. */
    double score(CandidateView view) throws CelEvaluationException {
      if (direct.isPresent()) {
        try {
          return direct.get().score(view);
        } catch (DirectProgram.Defer d) {
          // As in test.
        }
      }
      return ((Number) program.eval(view)).doubleValue();
    }
  }

  /** Either the compiled expression or its problems (never both). */
  record Result(Compiled compiled, List<FeedProblem> problems) {}

  /**
   * Compiles {@code source} as the feed's {@code which} ({@code "filter"}: a bool, {@code "score"}:
   * a number).
   */
  static Result compile(String which, String source) {
    List<FeedProblem> problems = new ArrayList<>();
    if (source.getBytes(StandardCharsets.UTF_8).length > Limits.MAX_FEED_EXPRESSION_BYTES) {
      problems.add(
          new FeedProblem(
              which, 1, 1, "longer than " + Limits.MAX_FEED_EXPRESSION_BYTES + " bytes of UTF-8"));
      return new Result(null, problems);
    }
    CelValidationResult r;
    try {
      r = COMPILER.compile(source);
    } catch (RuntimeException e) {
      // The parser's own limits (depth, nodes) may surface as exceptions rather than issues.
      problems.add(new FeedProblem(which, 1, 1, "does not parse: " + e.getMessage()));
      return new Result(null, problems);
    }
    if (r.hasError()) {
      for (CelIssue i : r.getErrors()) {
        problems.add(
            new FeedProblem(
                which,
                Math.max(1, i.getSourceLocation().getLine()),
                i.getSourceLocation().getColumn() + 1,
                i.getMessage()));
      }
      return new Result(null, problems);
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = r.getAst();
    } catch (CelValidationException e) {
      problems.add(new FeedProblem(which, 1, 1, e.getMessage()));
      return new Result(null, problems);
    }
    CelKind kind = ast.getResultType().kind();
    boolean filter = which.equals("filter");
    boolean ok =
        filter
            ? kind == CelKind.BOOL
            : kind == CelKind.DOUBLE || kind == CelKind.INT || kind == CelKind.UINT;
    if (!ok) {
      problems.add(
          new FeedProblem(
              which,
              1,
              1,
              (filter ? "a filter must be a bool" : "a score must be a number (int or double)")
                  + ", this is "
                  + ast.getResultType().name()));
      return new Result(null, problems);
    }
    try {
      return new Result(
          new Compiled(
              source,
              RUNTIME.createProgram(ast),
              DirectProgram.of(ast),
              FeedCost.of(ast),
              FeedCost.readsTime(ast)),
          problems);
    } catch (dev.cel.common.CelException e) {
      problems.add(new FeedProblem(which, 1, 1, "cannot be planned: " + e.getMessage()));
      return new Result(null, problems);
    }
  }
}
