package org.grapevine.libp2p.yamux;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * docs/ARCHITECTURE.md "Modules": the yamux core knows buffers, not channels, and reads no clock.
 */
@AnalyzeClasses(
    packages = "org.grapevine.libp2p.yamux",
    importOptions = ImportOption.DoNotIncludeTests.class)
class YamuxArchitectureTest {
  @ArchTest
  static final ArchRule coreUsesNoChannels =
      noClasses()
          .that()
          .resideInAPackage("org.grapevine.libp2p.yamux")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty.channel..", "io.netty.util.concurrent..")
          .because("only yamux.netty adapts the core to Netty's transport");

  @ArchTest
  static final ArchRule coreReadsNoClock =
      noClasses()
          .that()
          .resideInAPackage("org.grapevine.libp2p.yamux")
          .should()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(java.time.Instant.class, "now")
          .orShould()
          .callMethod(Thread.class, "sleep", long.class)
          .because("time is an input (handle*(..., nowNanos))");
}
