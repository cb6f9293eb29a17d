package io.medpipe.system;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the PostgreSQL a killed medpipe left running on its data directory, and stops it.
 *
 * <p>Why: the embedded server runs as its own process; when the JVM dies without closing it ({@code kill -9}, a
 * crash) it keeps the data directory, and the next start would wait for a server of its own that can never start. So
 * before starting: if the directory's {@code postmaster.pid} names a live PostgreSQL of this very directory, and no
 * live medpipe holds the directory (zonky's lock file, which the operating system releases when its JVM dies), that
 * server is an orphan: it gets a fast shutdown (SIGINT: clients disconnected, everything written cleanly) and is
 * waited for. A postmaster.pid naming a process that is not PostgreSQL is stale and removed. Anything else stops the
 * start with one line saying what to do.
 */
final class LeftoverPostmaster {

  private static final Logger log = LoggerFactory.getLogger(LeftoverPostmaster.class);
  /** zonky's lock file in the data directory, held by the JVM whose PostgreSQL it is. */
  static final String ZONKY_LOCK = "epg-lock";
  private static final long STOP_WAIT_SECONDS = 15;

  private LeftoverPostmaster() {
  }

  static void stopIfLeftBehind(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    List<String> lines = Files.readAllLines(pidFile);
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (RuntimeException e) {
      return; // unreadable: PostgreSQL itself decides
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty()) {
      return; // stale after an OS crash: PostgreSQL replaces it itself
    }
    String command = process.get().info().commandLine().orElse(null);
    boolean ours = lines.size() > 1 && Path.of(lines.get(1).trim()).toAbsolutePath().normalize()
        .equals(dataDir.toAbsolutePath().normalize());
    if (command != null && !command.contains("postgres")) {
      // the number was reused by an unrelated process: PostgreSQL would refuse to start on it
      log.warn("Removing the stale {} (PID {} is now another program)", pidFile, pid);
      Files.delete(pidFile);
      return;
    }
    if (!ours) {
      throw new EmbeddedDatabase.StartFailure("The data directory " + dataDir + " is locked by a PostgreSQL (PID " + pid
          + ") of another directory: stop it or set MEDPIPE_DATA_DIR to another directory.", null);
    }
    if (heldByALiveMedpipe(dataDir)) {
      throw new EmbeddedDatabase.StartFailure("The data directory " + dataDir + " is in use by another running medpipe"
          + " (its PostgreSQL has PID " + pid + "): stop that medpipe first, or set MEDPIPE_DATA_DIR to another"
          + " directory.", null);
    }
    log.warn("A PostgreSQL left running by a previous medpipe (PID {}) holds {}: stopping it (fast shutdown)", pid,
        dataDir);
    long started = System.nanoTime();
    signal(process.get(), "INT");
    if (!waitForExit(process.get())) {
      throw new EmbeddedDatabase.StartFailure("The PostgreSQL left running by a previous medpipe (PID " + pid
          + ") on " + dataDir + " did not stop within " + STOP_WAIT_SECONDS + " s: stop it with 'kill -INT " + pid
          + "' (or 'kill -QUIT " + pid + "' if it hangs), then start medpipe again.", null);
    }
    log.info("Stopped the leftover PostgreSQL (PID {}) in {} ms", pid, (System.nanoTime() - started) / 1_000_000);
  }

  /** Whether a live JVM holds zonky's lock on the directory: then its PostgreSQL is not an orphan. */
  private static boolean heldByALiveMedpipe(Path dataDir) throws IOException {
    Path lock = dataDir.resolve(ZONKY_LOCK);
    if (!Files.exists(lock)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE)) {
      FileLock held = channel.tryLock();
      if (held == null) {
        return true;
      }
      held.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true; // this very JVM holds it
    }
  }

  /**
   * SIGINT is PostgreSQL's fast shutdown; Java can only send SIGTERM (its "smart" shutdown, which waits for every
   * client) and SIGKILL (which would leave its backends and shared memory behind), so kill(1) sends it.
   */
  private static void signal(ProcessHandle process, String signal) throws IOException {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
          .redirectErrorStream(true).start();
      String output = new String(kill.getInputStream().readAllBytes()).trim();
      if (kill.waitFor() != 0) {
        throw new EmbeddedDatabase.StartFailure("The PostgreSQL left running by a previous medpipe (PID "
            + process.pid() + ") cannot be stopped by this user (" + output + "): stop it as its owner with 'kill -INT "
            + process.pid() + "', then start medpipe again.", null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping PostgreSQL " + process.pid(), e);
    }
  }

  private static boolean waitForExit(ProcessHandle process) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_WAIT_SECONDS);
    while (process.isAlive() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return !process.isAlive();
  }
}
