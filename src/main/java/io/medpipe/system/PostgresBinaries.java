package io.medpipe.system;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the embedded PostgreSQL's binaries are unpacked, and the check that nobody but medpipe's own user can have
 * changed them before they run.
 *
 * <p>Why: zonky unpacks into {@code $java.io.tmpdir/embedded-pg}, which it makes writable by everyone; a local user
 * could replace the server binary there and have it run as medpipe's database at the next start, with the data
 * directory and every secret in reach. medpipe gives zonky an owner-only directory instead (beside the database's
 * data, or a private one per user for a temporary cluster) and, before every start, refuses a directory, a file in it
 * or a directory above it that another user owns or can write to (a sticky directory such as /tmp excepted), with one
 * line saying what to do.
 */
final class PostgresBinaries {

  private static final int GROUP_OTHER_WRITE = 0022;
  private static final int GROUP_OTHER_TRAVERSE = 0011;
  private static final int STICKY = 01000;

  private PostgresBinaries() {
  }

  /** The owner-only directory for the binaries of a cluster in {@code dataDir} (null: a temporary cluster). */
  static Path directoryFor(Path dataDir) throws IOException {
    if (dataDir != null) {
      return dataDir.getParent().resolve("embedded-pg");
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "medpipe-pg-" + currentUid());
  }

  /** Creates the directory owner-only if missing, and refuses it (and what it holds) if anyone else could write it. */
  static void prepare(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      Files.createDirectories(dir.getParent());
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    verify(dir);
  }

  /** Refuses with one readable line if another user owns or can change the directory, its contents or its parents. */
  static void verify(Path dir) throws IOException {
    int me = currentUid();
    Path real = dir.toRealPath();
    for (Path p = real.getParent(); p != null; p = p.getParent()) {
      int mode = mode(p);
      int uid = uid(p);
      if ((uid != me && uid != 0) || ((mode & GROUP_OTHER_WRITE) != 0 && (mode & STICKY) == 0)) {
        throw refused(dir, p + ", a directory above it, " + (uid != me && uid != 0 ? "belongs to uid " + uid
            : "can be written by other users (mode " + Integer.toOctalString(mode & 07777) + ")"));
      }
    }
    List<Path> all;
    try (Stream<Path> walk = Files.walk(real)) {
      all = walk.toList();
    }
    for (Path p : all) {
      int mode = mode(p);
      int uid = uid(p);
      boolean directory = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      // a directory others may write but not enter (zonky adds the w bits) cannot be changed by them
      // a symbolic link's own mode is always rwxrwxrwx and means nothing: only who may change the directory it is in
      boolean link = Files.isSymbolicLink(p);
      boolean writable = !link && (directory ? (mode & GROUP_OTHER_WRITE & (mode << 1)) != 0
          : (mode & GROUP_OTHER_WRITE) != 0);
      if (uid != me) {
        throw refused(dir, (p.equals(real) ? "it" : p.toString()) + " belongs to uid " + uid + ", not to medpipe's"
            + " user (uid " + me + ")");
      }
      if (writable) {
        throw refused(dir, (p.equals(real) ? "it" : p.toString()) + " can be changed by other users (mode "
            + Integer.toOctalString(mode & 07777) + ")");
      }
    }
  }

  /** After zonky unpacked (it opens the directory to everyone's writing): owner-only again. */
  static void narrow(Path dir) throws IOException {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  /** zonky keeps one unpacked copy per resolver: one resolver per directory, so each directory gets its own. */
  record Resolver(Path dir) implements PgBinaryResolver {
    @Override
    public InputStream getPgBinary(String system, String architecture) throws IOException {
      return DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(system, architecture);
    }
  }

  private static EmbeddedDatabase.StartFailure refused(Path dir, String why) {
    return new EmbeddedDatabase.StartFailure("The embedded PostgreSQL's binaries directory " + dir + " is not safe to"
        + " run from: " + why + ". Remove it (medpipe unpacks the binaries again, owner-only) or fix its owner and"
        + " mode (rwx------), then start again.", null);
  }

  private static int currentUid() throws IOException {
    return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
  }

  private static int uid(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }
}
