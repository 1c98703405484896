package org.grapevine.simulations;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * docs/ARCHITECTURE.md "Modules" for the simulator: the virtual-time engine runs the sans-I/O cores
 * only, so nothing in this module touches Netty, neither Netty itself nor the libp2p module's Netty
 * adapters ({@code org.grapevine.libp2p..netty..}). The one exception is the real engine, {@code
 * org.grapevine.simulations.real}, which by design starts real nodes (Netty event loops, TCP on
 * 127.0.0.1) to check the virtual engine against the real stack. The virtual engine never uses the
 * real one, so a virtual run cannot start a socket by accident.
 */
@AnalyzeClasses(
    packages = "org.grapevine.simulations",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String REAL = "org.grapevine.simulations.real..";

  @ArchTest
  static final ArchRule onlyTheRealEngineTouchesNetty =
      noClasses()
          .that()
          .resideOutsideOfPackage(REAL)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.netty..", "org.grapevine.libp2p..netty..");

  @ArchTest
  static final ArchRule virtualNeverUsesReal =
      noClasses()
          .that()
          .resideInAPackage("org.grapevine.simulations.virtual..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(REAL);
}
