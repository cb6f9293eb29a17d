package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

/** Issue 11, item 7: "the application log is world-readable". */
class OwnerOnlyFilesTest {

  @Test
  void theDataDirectoryTheLogDirectoryAndTheLogAreTheOwnersOnly(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    Path log = data.resolve("logs/medpipe.log");
    MockEnvironment env = new MockEnvironment().withProperty("medpipe.data-dir", data.toString())
        .withProperty("logging.file.name", log.toString());

    new OwnerOnlyFiles().postProcessEnvironment(env, new SpringApplication());

    assertThat(mode(data)).isEqualTo("rwx------");
    assertThat(mode(log.getParent())).isEqualTo("rwx------");
    assertThat(mode(log)).as("created before Logback opens it").isEqualTo("rw-------");
  }

  @Test
  void filesLeftReadableByAnOlderVersionAreNarrowed(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("logs/medpipe.log");
    Files.createDirectories(log.getParent());
    Files.writeString(log, "old\n");
    Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(log.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path secret = dir.resolve("webhook.token");
    Files.writeString(secret, "abc\n");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));

    new OwnerOnlyFiles().postProcessEnvironment(new MockEnvironment().withProperty("medpipe.data-dir", dir.toString())
        .withProperty("logging.file.name", log.toString()), new SpringApplication());
    assertThat(DemoDefaults.secretFile(secret)).isEqualTo("abc");

    assertThat(mode(log)).isEqualTo("rw-------");
    assertThat(mode(log.getParent())).isEqualTo("rwx------");
    assertThat(mode(secret)).isEqualTo("rw-------");
    assertThat(Files.readString(log)).isEqualTo("old\n");
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
