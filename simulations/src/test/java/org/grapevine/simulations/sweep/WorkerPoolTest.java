package org.grapevine.simulations.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.grapevine.simulations.cli.GrapevineSim;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sweep --workers N}: the points run in real child JVMs (this test's class path), and the
 * sweep's files must be those of the sequential sweep in this JVM, but for wall times.
 */
class WorkerPoolTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    return GrapevineSim.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  private Path base() throws Exception {
    Path base = dir.resolve("base.yaml");
    Files.writeString(
        base,
        """
        name: tiny
        seed: 3
        duration: 20s
        warmUp: 5s
        nodes: {count: 20}
        connections: {degree: 4}
        follows: {perNode: 3}
        workload: {posts: 5}
        """);
    return base;
  }

  @Test
  void parallelSweep_sameTableAndResultsAsSequential() throws Exception {
    Path base = base();
    Path seq = dir.resolve("seq");
    Path par = dir.resolve("par");
    String[] grid = {"--param", "D=4,8", "--param", "latency.oneWay=20ms,80ms,40ms"};

    assertThat(run(concat(new String[] {"sweep", base.toString(), "--out", seq.toString()}, grid)))
        .as(err.toString())
        .isZero();
    assertThat(
            run(
                concat(
                    new String[] {
                      "sweep",
                      base.toString(),
                      "--out",
                      par.toString(),
                      "--workers",
                      "2",
                      "--worker-java-opts",
                      "-Xmx256m -XX:TieredStopAtLevel=1"
                    },
                    grid)))
        .as(err.toString())
        .isZero();

    // Same rows in the same order; only the wall_s column (second last) may differ.
    List<String> seqCsv = withoutWallSeconds(Files.readAllLines(seq.resolve(SweepRun.CSV)));
    List<String> parCsv = withoutWallSeconds(Files.readAllLines(par.resolve(SweepRun.CSV)));
    assertThat(parCsv).hasSize(7).isEqualTo(seqCsv);
    assertThat(
            Files.readString(par.resolve(SweepRun.JSON))
                .replaceAll("\"wallSeconds\" : [0-9.eE-]+", ""))
        .isEqualTo(
            Files.readString(seq.resolve(SweepRun.JSON))
                .replaceAll("\"wallSeconds\" : [0-9.eE-]+", ""));
    assertThat(par.resolve("sweep.html")).isRegularFile();
    // Every point's folder: identical results, scenario and deliveries.
    List<Path> points;
    try (Stream<Path> s = Files.list(seq.resolve(SweepRun.POINTS))) {
      points = s.toList();
    }
    assertThat(points).hasSize(6);
    for (Path p : points) {
      Path twin = par.resolve(SweepRun.POINTS).resolve(p.getFileName().toString());
      for (String f :
          new String[] {"results.json", "scenario.yaml", "deliveries.csv", "nodes.csv"}) {
        assertThat(Files.readString(twin.resolve(f)))
            .as(twin + "/" + f)
            .isEqualTo(Files.readString(p.resolve(f)));
      }
    }
    assertThat(par.resolve(WorkerPool.LOGS).resolve("D=8+latency.oneWay=40ms.log")).isRegularFile();
  }

  @Test
  void failingWorker_namesItsPoint_othersFinish_exitOne() throws Exception {
    Path base = base();
    Path par = dir.resolve("par");
    // A file where the point D=8's folder must go: its worker cannot write it (a real failure).
    Files.createDirectories(par.resolve(SweepRun.POINTS));
    Files.writeString(par.resolve(SweepRun.POINTS).resolve("D=8"), "in the way");

    assertThat(
            run(
                "sweep",
                base.toString(),
                "--param",
                "D=4,8,6",
                "--out",
                par.toString(),
                "--workers",
                "2"))
        .isEqualTo(1);

    assertThat(err.toString())
        .contains("1 of 3 points failed", "point D=8: worker exit code 1", "D=8.log");
    assertThat(par.resolve(SweepRun.POINTS).resolve("D=4").resolve("results.json")).isRegularFile();
    assertThat(par.resolve(SweepRun.POINTS).resolve("D=6").resolve("results.json")).isRegularFile();
    assertThat(par.resolve(SweepRun.CSV)).doesNotExist();
  }

  @Test
  void sweepMerge_makesTheTableOfPointsRunOneByOne() throws Exception {
    Path base = base();
    Path seq = dir.resolve("seq");
    Path pods = dir.resolve("pods");
    assertThat(run("sweep", base.toString(), "--param", "D=4,8", "--out", seq.toString())).isZero();
    // What the Indexed Job's pods do, one index each, then sweep-merge on the copied folder.
    SweepSpec spec =
        new SweepSpec(
            base.toString(), Files.readString(base), SweepGrid.parseParams(List.of("D=4,8")));
    Path specFile = dir.resolve("spec.json");
    spec.write(specFile);
    for (int i = 1; i >= 0; i--) {
      assertThat(
              run(
                  "sweep-point",
                  "--spec",
                  specFile.toString(),
                  "--index",
                  Integer.toString(i),
                  "--out",
                  pods.toString()))
          .as(err.toString())
          .isZero();
    }
    assertThat(run("sweep-merge", pods.toString())).as(err.toString()).isZero();
    assertThat(withoutWallSeconds(Files.readAllLines(pods.resolve(SweepRun.CSV))))
        .isEqualTo(withoutWallSeconds(Files.readAllLines(seq.resolve(SweepRun.CSV))));
    assertThat(
            run(
                "sweep-point",
                "--spec",
                specFile.toString(),
                "--index",
                "2",
                "--out",
                pods.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--index 2: the sweep has points 0 to 1");
  }

  private static List<String> withoutWallSeconds(List<String> lines) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      String[] cells = l.split(",", -1);
      cells[cells.length - 2] = "";
      out.add(String.join(",", cells));
    }
    return out;
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = new String[a.length + b.length];
    System.arraycopy(a, 0, c, 0, a.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
