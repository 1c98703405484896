package org.grapevine.libp2p;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * docs/ARCHITECTURE.md "Modules" for the whole module: libp2p knows nothing social, and protocol
 * cores stay free of channels and clocks (only {@code *.netty} adapters and the {@code host} shell
 * touch Netty channels).
 */
@AnalyzeClasses(
    packages = "org.grapevine.libp2p",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule nothingSocial =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.grapevine.protocol..",
              "org.grapevine.node..",
              "org.grapevine.cli..",
              "org.grapevine.simulations..");

  @ArchTest
  static final ArchRule coresWithoutChannels =
      noClasses()
          .that()
          .resideOutsideOfPackages("..netty..", "org.grapevine.libp2p.host..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty.channel..", "io.netty.handler..", "io.netty.bootstrap..");

  @ArchTest
  static final ArchRule coresReadNoClock =
      noClasses()
          .that()
          .resideOutsideOfPackages("..netty..", "org.grapevine.libp2p.host..")
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(java.time.Instant.class, "now")
          .orShould()
          .callMethod(Thread.class, "sleep", long.class)
          .orShould()
          .callConstructor(java.util.Random.class);
}
