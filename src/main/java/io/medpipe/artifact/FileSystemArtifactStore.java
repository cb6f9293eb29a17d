package io.medpipe.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Artifacts as files under a root directory; written to a temporary file first, then linked into place. */
public class FileSystemArtifactStore implements ArtifactStore {

  private final Path root;

  public FileSystemArtifactStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  @Override
  public String put(String key, byte[] content) {
    Path target = resolve(key);
    try {
      Files.createDirectories(target.getParent());
      if (Files.exists(target)) {
        throw new FileAlreadyExistsException(target.toString());
      }
      Path tmp = Files.createTempFile(target.getParent(), ".upload-", ".tmp");
      try {
        Files.write(tmp, content);
        // link(2) fails atomically if the target exists (a rename would silently replace it): write-once
        // holds even when two writers race for the same key
        Files.createLink(target, tmp);
      } finally {
        Files.deleteIfExists(tmp);
      }
      return target.toUri().toString();
    } catch (FileAlreadyExistsException e) {
      throw new AlreadyExistsException(key, target.toUri().toString(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write artifact " + key, e);
    }
  }

  @Override
  public byte[] read(String uri) {
    Path path = Path.of(URI.create(uri)).normalize();
    if (!path.startsWith(root)) {
      throw new IllegalArgumentException("artifact " + uri + " is outside the artifact directory " + root);
    }
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read artifact " + uri, e);
    }
  }

  private Path resolve(String key) {
    Path target = root.resolve(key).normalize();
    if (!target.startsWith(root)) {
      throw new IllegalArgumentException("artifact key " + key + " escapes the artifact directory");
    }
    return target;
  }
}
