package io.medpipe.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.medpipe.dataset.SnapshotStore.Row;
import io.medpipe.ehr.TestDatabase;
import io.medpipe.system.Json;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Snapshots written to and read back from a real, migrated PostgreSQL. */
class SnapshotStoreTest {

  static final List<Feature> FEATURES = List.of(
      Feature.numeric("creatinine", "mg/dL", 0.1, 15.0, true),
      Feature.binary("angiokeratoma", true),
      Feature.categorical("sex", List.of("F", "M"), false));

  static SnapshotStore store;

  @BeforeAll
  static void database() {
    store = new SnapshotStore(new JdbcTemplate(TestDatabase.freshDatabase()), new Json(new ObjectMapper()));
  }

  /** Labels deliberately not in sorted order, and two missing values. */
  static List<Row> rows() {
    return List.of(
        new Row("p-aaa", new double[] {1.1, 0, 1}, "none"),
        new Row("p-bbb", new double[] {Double.NaN, 1, 0}, "fabry"),
        new Row("p-ccc", new double[] {0.9, 0, Double.NaN}, "none"),
        new Row("p-ddd", new double[] {2.4, 1, 1}, "hcm"),
        new Row("p-eee", new double[] {-0.0, 0, 0}, "none"));
  }

  @Test
  void describesTheStoredSnapshot() {
    Snapshot s = store.create(FEATURES, rows(), "spec-hash", "pi-7");

    Snapshot found = store.find(s.id());

    assertThat(found).isEqualTo(s);
    assertThat(found.features()).isEqualTo(FEATURES);
    assertThat(found.classes()).containsExactly("fabry", "hcm", "none");
    assertThat(found.classCounts()).isEqualTo(Map.of("fabry", 1, "hcm", 1, "none", 3));
    assertThat(found.rowCount()).isEqualTo(5);
    assertThat(found.contentHash()).matches("[0-9a-f]{64}");
    assertThat(found.sourceSpecHash()).isEqualTo("spec-hash");
    assertThat(found.processInstanceId()).isEqualTo("pi-7");
    assertThat(found.createdAt()).isNotNull();
  }

  @Test
  void keepsClassCountsInClassOrder() {
    Snapshot s = store.create(FEATURES, rows(), "spec-hash", null);

    assertThat(store.find(s.id()).classCounts().keySet()).containsExactly("fabry", "hcm", "none");
  }

  @Test
  void readsTheRowsBackInOrderWithMissingValuesKept() {
    Snapshot s = store.create(FEATURES, rows(), "spec-hash", null);

    FeatureTable table = store.table(s.id());

    assertThat(table.features()).isEqualTo(FEATURES);
    assertThat(table.classes()).containsExactly("fabry", "hcm", "none");
    assertThat(table.x()).isEqualTo(rows().stream().map(Row::features).toArray(double[][]::new));
    assertThat(table.x()[1][0]).isNaN();
    assertThat(table.x()[2][2]).isNaN();
    assertThat(table.y()).containsExactly(2, 0, 2, 1, 2);
    assertThat(table.classCounts()).containsExactly(1, 1, 3);
  }

  @Test
  void givesTheSameHashToTheSameRows() {
    Snapshot first = store.create(FEATURES, rows(), "spec-hash", "pi-1");
    Snapshot second = store.create(FEATURES, rows(), "other-spec-hash", "pi-2");

    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(second.contentHash()).isEqualTo(first.contentHash());
  }

  @Test
  void givesADifferentHashWhenOneValueChanges() {
    List<Row> changed = new java.util.ArrayList<>(rows());
    changed.set(3, new Row("p-ddd", new double[] {2.5, 1, 1}, "hcm"));

    assertThat(store.create(FEATURES, changed, "spec-hash", null).contentHash())
        .isNotEqualTo(store.create(FEATURES, rows(), "spec-hash", null).contentHash());
  }

  @Test
  void givesADifferentHashWhenAMissingValueIsFilledIn() {
    List<Row> imputed = new java.util.ArrayList<>(rows());
    imputed.set(1, new Row("p-bbb", new double[] {0, 1, 0}, "fabry"));

    assertThat(SnapshotStore.contentHash(FEATURES, List.of("fabry", "hcm", "none"), imputed))
        .isNotEqualTo(SnapshotStore.contentHash(FEATURES, List.of("fabry", "hcm", "none"), rows()));
  }

  @Test
  void givesADifferentHashWhenALabelOrSubjectChanges() {
    List<String> classes = List.of("fabry", "hcm", "none");
    String original = SnapshotStore.contentHash(FEATURES, classes, rows());
    List<Row> relabelled = new java.util.ArrayList<>(rows());
    relabelled.set(0, new Row("p-aaa", new double[] {1.1, 0, 1}, "hcm"));
    List<Row> resubjected = new java.util.ArrayList<>(rows());
    resubjected.set(0, new Row("p-zzz", new double[] {1.1, 0, 1}, "none"));

    assertThat(SnapshotStore.contentHash(FEATURES, classes, relabelled)).isNotEqualTo(original);
    assertThat(SnapshotStore.contentHash(FEATURES, classes, resubjected)).isNotEqualTo(original);
  }

  @Test
  void givesADifferentHashWhenTheMeaningOfACategoricalCodeChanges() {
    List<Feature> swapped = List.of(FEATURES.get(0), FEATURES.get(1),
        Feature.categorical("sex", List.of("M", "F"), false));
    List<String> classes = List.of("fabry", "hcm", "none");

    assertThat(SnapshotStore.contentHash(swapped, classes, rows()))
        .isNotEqualTo(SnapshotStore.contentHash(FEATURES, classes, rows()));
  }

  @Test
  void saysWhenASnapshotDoesNotExist() {
    UUID unknown = UUID.randomUUID();

    assertThatIllegalArgumentException().isThrownBy(() -> store.find(unknown))
        .withMessageContaining(unknown.toString());
  }
}
