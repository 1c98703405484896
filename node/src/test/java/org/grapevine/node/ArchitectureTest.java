package org.grapevine.node;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * docs/ARCHITECTURE.md "Modules" for the node module: the node core ({@code
 * org.grapevine.node.core}) is sans-I/O, like the libp2p and protocol cores: no sockets, no store,
 * no files, no threads, no clock. {@code Node} and the virtual engine drive it and pass the time
 * in. And the node never reaches up into the cli or the simulator.
 */
@AnalyzeClasses(
    packages = "org.grapevine.node",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
  private static final String CORE = "org.grapevine.node.core..";

  @ArchTest
  static final ArchRule coreDependsOnNoIo =
      noClasses()
          .that()
          .resideInAPackage(CORE)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.netty..", "org.rocksdb..", "java.net..", "java.nio.channels..", "java.nio.file..")
          .orShould()
          .dependOnClassesThat()
          .haveNameMatching("java\\.io\\.(File.*|RandomAccessFile)")
          .orShould()
          .dependOnClassesThat()
          .haveFullyQualifiedName("java.util.concurrent.Executors")
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(java.util.concurrent.ExecutorService.class)
          .orShould()
          .dependOnClassesThat()
          .areAssignableTo(Thread.class)
          .orShould()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethod(java.time.Instant.class, "now")
          .orShould()
          .callConstructor(java.util.Random.class)
          .because(
              "the node core is sans-I/O: Node and the virtual engine pass the time in and do the I/O it asks for");

  /**
   * The media layout, codecs and image stripping are pure (issue 18): only {@code MediaStore} and
   * its {@code BlockFiles} touch disks and RocksDB.
   */
  @ArchTest
  static final ArchRule mediaCodecsDoNoIo =
      noClasses()
          .that()
          .resideInAPackage("org.grapevine.node.media..")
          .and()
          .haveNameNotMatching(".*\\.(MediaStore|BlockFiles)(\\$.*)?")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.rocksdb..", "java.nio.file..", "java.nio.channels..", "java.net..")
          .orShould()
          .dependOnClassesThat()
          .haveNameMatching("java\\.io\\.(File.*|RandomAccessFile)")
          .because("media layout, codecs and stripping are pure: MediaStore does the I/O");

  @ArchTest
  static final ArchRule nodeNeverDependsOnCliOrSimulations =
      noClasses()
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.grapevine.cli..", "org.grapevine.simulations..", "org.grapevine.benchmarks..");
}
