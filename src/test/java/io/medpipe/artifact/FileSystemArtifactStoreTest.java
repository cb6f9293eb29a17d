package io.medpipe.artifact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.artifact.ArtifactStore.IntegrityException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Artifacts in a directory: write-once, verified on read, confined to the root. */
class FileSystemArtifactStoreTest {

  static final byte[] MODEL = "serialized model v1".getBytes(UTF_8);
  static final String MODEL_SHA = ArtifactStore.sha256(MODEL);

  @TempDir Path tmp;
  Path root;
  FileSystemArtifactStore store;

  @BeforeEach
  void store() {
    root = tmp.resolve("artifacts");
    store = new FileSystemArtifactStore(root);
  }

  @Test
  void returnsTheStoredBytesWhenTheChecksumMatches() {
    String uri = store.put("fabry/1/model.bin", MODEL);

    assertThat(Path.of(URI.create(uri))).isEqualTo(root.resolve("fabry/1/model.bin").toAbsolutePath());
    assertThat(store.get(uri, MODEL_SHA)).isEqualTo(MODEL);
  }

  @Test
  void leavesNoTemporaryFileBehind() throws IOException {
    store.put("fabry/1/model.bin", MODEL);

    try (Stream<Path> files = Files.list(root.resolve("fabry/1"))) {
      assertThat(files).containsExactly(root.resolve("fabry/1/model.bin").toAbsolutePath());
    }
  }

  @Test
  void refusesToOverwriteAnArtifactAndKeepsTheFirstContent() {
    String uri = store.put("fabry/1/model.bin", MODEL);

    assertThatIllegalStateException().isThrownBy(() -> store.put("fabry/1/model.bin", "other".getBytes(UTF_8)))
        .withMessageContaining("write-once");
    assertThat(store.get(uri, MODEL_SHA)).isEqualTo(MODEL);
  }

  @Test
  void detectsAFileChangedAfterRegistration() throws IOException {
    String uri = store.put("fabry/1/model.bin", MODEL);
    Files.write(Path.of(URI.create(uri)), "tampered model".getBytes(UTF_8));

    assertThatThrownBy(() -> store.get(uri, MODEL_SHA)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(MODEL_SHA).hasMessageContaining("changed or corrupted");
  }

  @Test
  void refusesAReadWhenTheRecordedChecksumIsDifferent() {
    String uri = store.put("fabry/1/model.bin", MODEL);

    assertThatThrownBy(() -> store.get(uri, ArtifactStore.sha256("something else".getBytes(UTF_8))))
        .isInstanceOf(IntegrityException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"../escaped.bin", "fabry/../../escaped.bin", "/tmp/escaped.bin"})
  void refusesKeysThatEscapeTheRoot(String key) {
    assertThatIllegalArgumentException().isThrownBy(() -> store.put(key, MODEL))
        .withMessageContaining("escapes the artifact directory");
    assertThat(tmp.resolve("escaped.bin")).doesNotExist();
  }

  @Test
  void refusesAKeyIntoASiblingDirectorySharingTheRootsNamePrefix() {
    assertThatIllegalArgumentException().isThrownBy(() -> store.put("../artifacts-evil/model.bin", MODEL));
    assertThat(tmp.resolve("artifacts-evil")).doesNotExist();
  }

  @Test
  void refusesToReadAFileOutsideTheRoot() throws IOException {
    Path outside = Files.writeString(tmp.resolve("secret.txt"), "not an artifact");

    assertThatIllegalArgumentException().isThrownBy(() -> store.read(outside.toUri().toString()))
        .withMessageContaining("outside the artifact directory");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> store.read(root.toUri() + "../secret.txt"))
        .withMessageContaining("outside the artifact directory");
  }
}
