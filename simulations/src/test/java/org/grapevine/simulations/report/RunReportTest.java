package org.grapevine.simulations.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.grapevine.simulations.SimulationRun;
import org.grapevine.simulations.scenario.ScenarioReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunReportTest {
  @TempDir Path dir;

  @Test
  void runTo_smallScenario_writesSelfContainedReportWithEveryChart() throws Exception {
    SimulationRun.runTo(ScenarioReader.read(Path.of("scenarios/small.yaml")), dir, null);

    Path report = dir.resolve(RunReport.FILE);
    assertThat(report).isRegularFile();
    String html = Files.readString(report);
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n");
    // Self-contained: no URL of any kind, no external script, style sheet, image or font.
    assertThat(html)
        .doesNotContainPattern(Pattern.compile("(?i)https?://|//[a-z0-9.-]+\\.[a-z]{2,}/"));
    assertThat(html)
        .doesNotContainPattern(Pattern.compile("(?i)<script|<link|<img|<iframe|@import|url\\("));
    for (String chart : RunReport.CHARTS) {
      int at = html.indexOf("<figure id=\"" + chart + "\"><svg ");
      assertThat(at).as(chart).isPositive();
      // Each chart draws data, not only its frame: a line or bars.
      String figure = html.substring(at, html.indexOf("</figure>", at));
      assertThat(figure)
          .as(chart)
          .containsPattern(
              "<polyline [^>]*points=\"[0-9.]+,[0-9.]+ [0-9.]+,[0-9.]+|<rect x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"[0-9.]+\" height=\"[0-9.]+\" fill=\"#");
    }
    assertThat(html).contains("delivery ratio", "1.0", "name: small");
  }

  @Test
  void ticks_anyRange_roundNumbersCoveringIt() {
    double[] unit = SvgChart.ticks(0, 1);
    assertThat(unit).hasSize(6);
    assertThat(unit[0]).isEqualTo(0);
    assertThat(unit[5]).isCloseTo(1, org.assertj.core.api.Assertions.within(1e-9));
    double[] t = SvgChart.ticks(13, 987);
    assertThat(t[0]).isLessThanOrEqualTo(13);
    assertThat(t[t.length - 1]).isGreaterThanOrEqualTo(987);
    assertThat(t[1] - t[0]).isEqualTo(200);
  }
}
