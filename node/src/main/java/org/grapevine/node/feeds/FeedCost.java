package org.grapevine.node.feeds;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelExpr;

/**
 * An upper bound, before running, on the steps one evaluation of a checked expression takes: every
 * node of the tree once, and a comprehension's condition and step once per element of the list it
 * ranges over. A list's length is bounded by where it comes from: a view list ({@link
 * ViewField#LIST_CAP}), a literal (its elements), a concatenation (the sum), a macro's result (its
 * range). Where the length cannot be told (ranging over a comprehension's own variable, say) the
 * bound is {@link #UNBOUNDED_LIST}, which puts the expression over any budget: refused, not
 * guessed. A regular expression match counts {@link #MATCH_WEIGHT} steps (RE2J runs in time linear
 * in the text, which the view bounds).
 *
 * <p>The bound is what the budgets ({@code [feeds] cost_per_candidate}, {@code cost_per_page})
 * count; a property test checks that no evaluation takes more steps than it.
 */
final class FeedCost {
  static final long UNBOUNDED_LIST = 1L << 20;
  static final long MATCH_WEIGHT = 64;
  private static final long CAP = 1L << 50;

  private FeedCost() {}

  static long of(CelAbstractSyntaxTree ast) {
    return cost(ast.getExpr());
  }

  private static long cost(CelExpr e) {
    switch (e.getKind()) {
      case CONSTANT, IDENT, NOT_SET -> {
        return 1;
      }
      case SELECT -> {
        return add(1, cost(e.select().operand()));
      }
      case CALL -> {
        long c = 1;
        if (e.call().target().isPresent()) {
          c = add(c, cost(e.call().target().get()));
        }
        for (CelExpr a : e.call().args()) {
          c = add(c, cost(a));
        }
        return e.call().function().equals("matches") ? add(c, MATCH_WEIGHT) : c;
      }
      case LIST -> {
        long c = 1;
        for (CelExpr a : e.list().elements()) {
          c = add(c, cost(a));
        }
        return c;
      }
      case MAP -> {
        long c = 1;
        for (CelExpr.CelMap.Entry en : e.map().entries()) {
          c = add(c, add(cost(en.key()), cost(en.value())));
        }
        return c;
      }
      case STRUCT -> {
        long c = 1;
        for (CelExpr.CelStruct.Entry en : e.struct().entries()) {
          c = add(c, cost(en.value()));
        }
        return c;
      }
      case COMPREHENSION -> {
        CelExpr.CelComprehension k = e.comprehension();
        long perElement = add(cost(k.loopCondition()), cost(k.loopStep()));
        long c = add(1, add(cost(k.iterRange()), cost(k.accuInit())));
        c = add(c, mul(length(k.iterRange()), perElement));
        // The condition is checked once more before the loop ends.
        return add(c, add(cost(k.loopCondition()), cost(k.result())));
      }
    }
    return UNBOUNDED_LIST;
  }

  /** The most elements the list (or map) {@code e} can hold when evaluated. */
  private static long length(CelExpr e) {
    switch (e.getKind()) {
      case IDENT -> {
        ViewField f = ViewField.named(e.ident().name());
        return f != null && f.type.name().startsWith("list") ? ViewField.LIST_CAP : UNBOUNDED_LIST;
      }
      case SELECT -> {
        // Before checking rewrites it, a view name such as post.hashtags is a select on "post".
        CelExpr operand = e.select().operand();
        ViewField f =
            operand.getKind() == CelExpr.ExprKind.Kind.IDENT
                ? ViewField.named(operand.ident().name() + "." + e.select().field())
                : null;
        return f != null && f.type.name().startsWith("list") ? ViewField.LIST_CAP : UNBOUNDED_LIST;
      }
      case LIST -> {
        return e.list().elements().size();
      }
      case MAP -> {
        return e.map().entries().size();
      }
      case COMPREHENSION -> {
        return length(e.comprehension().iterRange());
      }
      case CALL -> {
        String f = e.call().function();
        if (f.equals("_+_") && e.call().args().size() == 2) {
          return add(length(e.call().args().get(0)), length(e.call().args().get(1)));
        }
        if (f.equals("_?_:_") && e.call().args().size() == 3) {
          return Math.max(length(e.call().args().get(1)), length(e.call().args().get(2)));
        }
        return UNBOUNDED_LIST;
      }
      default -> {
        return UNBOUNDED_LIST;
      }
    }
  }

  /** Whether the expression reads the ranking's time ({@code now}, {@code post.age_hours}). */
  static boolean readsTime(CelAbstractSyntaxTree ast) {
    return readsTime(ast.getExpr());
  }

  private static boolean readsTime(CelExpr e) {
    switch (e.getKind()) {
      case IDENT -> {
        String n = e.ident().name();
        return n.equals(ViewField.NOW.name) || n.equals(ViewField.POST_AGE_HOURS.name);
      }
      case SELECT -> {
        CelExpr o = e.select().operand();
        return (o.getKind() == CelExpr.ExprKind.Kind.IDENT
                && (o.ident().name() + "." + e.select().field())
                    .equals(ViewField.POST_AGE_HOURS.name))
            || readsTime(o);
      }
      case CALL -> {
        if (e.call().target().isPresent() && readsTime(e.call().target().get())) {
          return true;
        }
        return e.call().args().stream().anyMatch(FeedCost::readsTime);
      }
      case LIST -> {
        return e.list().elements().stream().anyMatch(FeedCost::readsTime);
      }
      case MAP -> {
        return e.map().entries().stream()
            .anyMatch(en -> readsTime(en.key()) || readsTime(en.value()));
      }
      case STRUCT -> {
        return e.struct().entries().stream().anyMatch(en -> readsTime(en.value()));
      }
      case COMPREHENSION -> {
        CelExpr.CelComprehension k = e.comprehension();
        return readsTime(k.iterRange())
            || readsTime(k.accuInit())
            || readsTime(k.loopCondition())
            || readsTime(k.loopStep())
            || readsTime(k.result());
      }
      default -> {
        return false;
      }
    }
  }

  private static long add(long a, long b) {
    return Math.min(CAP, a + b);
  }

  private static long mul(long a, long b) {
    return a != 0 && b > CAP / a ? CAP : Math.min(CAP, a * b);
  }
}
