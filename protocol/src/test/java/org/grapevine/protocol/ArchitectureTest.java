package org.grapevine.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * docs/ARCHITECTURE.md "Modules": {@code protocol} knows no I/O, reads no clock, draws no unseeded
 * randomness.
 */
@AnalyzeClasses(
    packages = "org.grapevine.protocol",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  @ArchTest
  static final ArchRule noNetworkFilesOrNetty =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "java.net..",
              "java.nio.file..",
              "java.nio.channels..",
              "io.netty..",
              "org.rocksdb..",
              "org.grapevine.libp2p..",
              "org.grapevine.node..")
          .because("protocol is pure: bytes in, values out");

  @ArchTest
  static final ArchRule noFileStreams =
      noClasses()
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.File")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.FileInputStream")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.FileOutputStream")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.io.RandomAccessFile");

  @ArchTest
  static final ArchRule noClocksSleepsOrUnseededRandom =
      noClasses()
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(java.time.Instant.class, "now")
          .orShould()
          .callMethod(Thread.class, "sleep", long.class)
          .orShould()
          .callConstructor(java.util.Random.class)
          .because("time and randomness are inputs (docs/ARCHITECTURE.md, \"Modules\")");
}
