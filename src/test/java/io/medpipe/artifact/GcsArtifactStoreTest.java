package io.medpipe.artifact;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.storage.BlobId;
import com.google.cloud.storage.BlobInfo;
import com.google.cloud.storage.Storage.BlobTargetOption;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageException;
import com.google.cloud.storage.contrib.nio.testing.LocalStorageHelper;
import io.medpipe.artifact.ArtifactStore.IntegrityException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Artifacts in a GCS bucket, against google-cloud-nio's in-memory Storage.
 *
 * <p>LocalStorageHelper does not model GCS preconditions: {@code getOptions()} builds a fake that throws
 * UnsupportedOperationException for any request option (so {@code put}, which passes {@code doesNotExist()},
 * cannot run against it at all), and {@code customOptions(false)} accepts the option but ignores it and
 * overwrites. So the tests use {@code customOptions(false)}, and the write-once tests wrap it in
 * {@link #honouringDoesNotExist}, which answers a create-only write of an existing object the way GCS does:
 * HTTP 412.
 */
class GcsArtifactStoreTest {

  static final byte[] MODEL = "serialized model v1".getBytes(UTF_8);
  static final String MODEL_SHA = ArtifactStore.sha256(MODEL);

  Storage storage;
  GcsArtifactStore store;

  @BeforeEach
  void store() {
    storage = LocalStorageHelper.customOptions(false).getService();
    store = new GcsArtifactStore(storage, "medpipe-models", "medpipe/");
  }

  @Test
  void storesUnderThePrefixAndReturnsTheBytesWhenTheChecksumMatches() {
    String uri = store.put("fabry/1/model.bin", MODEL);

    assertThat(uri).isEqualTo("gs://medpipe-models/medpipe/fabry/1/model.bin");
    assertThat(store.get(uri, MODEL_SHA)).isEqualTo(MODEL);
  }

  @Test
  void recordsTheChecksumAsObjectMetadata() {
    store.put("fabry/1/model.bin", MODEL);

    assertThat(storage.get(BlobId.of("medpipe-models", "medpipe/fabry/1/model.bin")).getMetadata())
        .containsEntry("sha256", MODEL_SHA);
  }

  @Test
  void worksWithoutAPrefix() {
    GcsArtifactStore bare = new GcsArtifactStore(storage, "medpipe-models", " ");

    assertThat(bare.put("model.bin", MODEL)).isEqualTo("gs://medpipe-models/model.bin");
  }

  /**
   * The fake storage, except that a {@code create} carrying {@code doesNotExist()} for an existing object fails
   * with 412 Precondition Failed, as GCS answers {@code ifGenerationMatch=0}. Without the option it overwrites.
   */
  static Storage honouringDoesNotExist(Storage fake) {
    return (Storage) Proxy.newProxyInstance(Storage.class.getClassLoader(), new Class<?>[] {Storage.class},
        (proxy, method, args) -> {
          if (method.getName().equals("create") && args != null && args.length == 3 && args[0] instanceof BlobInfo info
              && args[1] instanceof byte[]
              && Arrays.asList((Object[]) args[2]).contains(BlobTargetOption.doesNotExist())
              && fake.get(info.getBlobId()) != null) {
            throw new StorageException(412, "At least one of the pre-conditions you specified did not hold.");
          }
          try {
            return method.invoke(fake, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }

  @Test
  void refusesToOverwriteAnArtifactAndKeepsTheFirstContent() {
    store = new GcsArtifactStore(honouringDoesNotExist(storage), "medpipe-models", "medpipe/");
    String uri = store.put("fabry/1/model.bin", MODEL);

    assertThatIllegalStateException().isThrownBy(() -> store.put("fabry/1/model.bin", "other".getBytes(UTF_8)))
        .withMessageContaining("write-once");
    assertThat(store.get(uri, MODEL_SHA)).isEqualTo(MODEL);
  }

  @Test
  void refusesToReadFromAnotherBucket() {
    assertThatIllegalArgumentException().isThrownBy(() -> store.read("gs://someone-elses-bucket/medpipe/model.bin"))
        .withMessageContaining("is not in bucket medpipe-models");
  }

  @Test
  void saysWhenAnArtifactDoesNotExist() {
    assertThatIllegalStateException().isThrownBy(() -> store.read("gs://medpipe-models/medpipe/missing.bin"))
        .withMessageContaining("does not exist");
  }

  @Test
  void detectsAnObjectReplacedBehindTheRegistrysBack() {
    String uri = store.put("fabry/1/model.bin", MODEL);
    // someone with bucket access overwrites the object directly, without the write-once precondition
    storage.create(BlobInfo.newBuilder(BlobId.fromGsUtilUri(uri)).build(), "tampered".getBytes(UTF_8));

    assertThatThrownBy(() -> store.get(uri, MODEL_SHA)).isInstanceOf(IntegrityException.class)
        .hasMessageContaining(MODEL_SHA);
  }
}
