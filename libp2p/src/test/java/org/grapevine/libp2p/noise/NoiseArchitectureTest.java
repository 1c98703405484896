package org.grapevine.libp2p.noise;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The Noise core stays sans-I/O: no channels, no clocks, no unseeded randomness
 * (docs/ARCHITECTURE.md, "Modules").
 */
class NoiseArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("org.grapevine.libp2p.noise")
          .that(
              com.tngtech.archunit.base.DescribedPredicate.describe(
                  "outside noise.netty",
                  (com.tngtech.archunit.core.domain.JavaClass c) ->
                      !c.getPackageName().endsWith(".netty")));

  @Test
  void core_doesNotTouchNettyChannels() {
    noClasses().should().dependOnClassesThat().resideInAPackage("io.netty.channel..").check(CORE);
  }

  @Test
  void core_readsNoClockAndMakesNoRandomness() {
    noClasses()
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callConstructor(java.util.Random.class)
        .orShould()
        .callConstructor(java.security.SecureRandom.class)
        .check(CORE);
  }
}
