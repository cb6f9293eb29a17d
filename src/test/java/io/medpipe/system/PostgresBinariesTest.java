package io.medpipe.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded PostgreSQL's binaries run only from a directory nobody but medpipe's user can change. */
class PostgresBinariesTest {

  @TempDir Path tmp;

  @Test
  void aNewDirectoryIsOwnerOnlyAndBesideTheData() throws Exception {
    Path dir = PostgresBinaries.directoryFor(tmp.resolve("data/postgres"));
    assertThat(dir).isEqualTo(tmp.resolve("data/embedded-pg"));
    PostgresBinaries.prepare(dir);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
  }

  @Test
  void aTemporaryClusterGetsAPrivateDirectoryNotTheSharedOne() throws Exception {
    Path dir = PostgresBinaries.directoryFor(null);
    assertThat(dir.getFileName().toString()).startsWith("medpipe-pg-").isNotEqualTo("embedded-pg");
  }

  @Test
  void aDirectoryOthersCanWriteIsRefused() throws Exception {
    Path dir = tmp.resolve("embedded-pg");
    PostgresBinaries.prepare(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> PostgresBinaries.prepare(dir))
        .isInstanceOf(EmbeddedDatabase.StartFailure.class)
        .hasMessageContaining("can be changed by other users").hasMessageContaining("rwx------");
  }

  @Test
  void aBinaryOthersCanWriteIsRefused() throws Exception {
    Path dir = tmp.resolve("embedded-pg");
    PostgresBinaries.prepare(dir);
    Path bin = Files.createDirectories(dir.resolve("abc/bin"));
    Path postgres = Files.writeString(bin.resolve("postgres"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(postgres, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(bin.resolve("pg_ctl"), postgres);
    assertThatCode(() -> PostgresBinaries.prepare(dir)).doesNotThrowAnyException();
    Files.setPosixFilePermissions(postgres, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> PostgresBinaries.prepare(dir)).hasMessageContaining(postgres.toString());
  }

  @Test
  void aBinaryAnotherUserOwnsIsRefused() throws Exception {
    Path dir = tmp.resolve("embedded-pg");
    PostgresBinaries.prepare(dir);
    Path postgres = Files.writeString(dir.resolve("postgres"), "#!/bin/sh\n");
    int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    try {
      Files.setAttribute(postgres, "unix:uid", me + 4242);
    } catch (java.io.IOException notPermitted) {
      return; // only root can give a file away; the mode checks above hold for everyone
    }
    assertThatThrownBy(() -> PostgresBinaries.prepare(dir)).hasMessageContaining("belongs to uid " + (me + 4242));
  }

  @Test
  void aParentOthersCanWriteWithoutTheStickyBitIsRefused() throws Exception {
    Path open = Files.createDirectories(tmp.resolve("open"));
    Path dir = open.resolve("embedded-pg");
    PostgresBinaries.prepare(dir);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThatThrownBy(() -> PostgresBinaries.prepare(dir)).hasMessageContaining("a directory above it");
    Files.setAttribute(open, "unix:mode", 01777);
    assertThatCode(() -> PostgresBinaries.prepare(dir)).doesNotThrowAnyException();
  }
}
