package io.medpipe.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.medpipe.registry.ModelVersion;
import io.medpipe.monitoring.drift.ReferenceProfile;
import io.medpipe.monitoring.drift.Window;
import org.junit.jupiter.api.Test;

/**
 * The window the monitor reads from the prediction log on a real PostgreSQL: the model's inputs come from the
 * logged float8 array, and a row logged before that column existed (NULL) is read from its JSON to the same values.
 */
class PredictionWindowTest {

  @Test
  void theEncodedInputsAndTheirJsonGiveTheSameWindow() throws Exception {
    MonitoringFixture fixture = new MonitoringFixture(MonitoringProperties.defaults());
    ModelVersion version = fixture.syntheticVersion(300, 400, 1.0);
    ReferenceProfile profile = ReferenceProfile.fromJson(fixture.registry.referenceProfile(version.id()).orElseThrow()
        .json());
    PredictionWindow windows = new PredictionWindow(fixture.jdbc);
    PredictionWindow.Spec spec = new PredictionWindow.Spec(400, null, null);

    Window fromArray = windows.load(version.id(), profile.featureList(), profile.classes(), spec).window();
    assertThat(fixture.jdbc.queryForObject("SELECT count(*) FROM medpipe.prediction_log WHERE encoded IS NOT NULL",
        Long.class)).isEqualTo(400);
    // missing values (NaN) travel in the logged arrays too
    assertThat(java.util.Arrays.stream(fromArray.rows()).flatMapToDouble(java.util.Arrays::stream)
        .filter(Double::isNaN).count()).isPositive();

    fixture.jdbc.update("UPDATE medpipe.prediction_log SET encoded = NULL, shap = NULL");
    Window fromJson = windows.load(version.id(), profile.featureList(), profile.classes(), spec).window();

    assertThat(fromJson.size()).isEqualTo(400);
    for (int i = 0; i < fromJson.size(); i++) {
      assertThat(fromJson.rows()[i]).as("row %d", i).containsExactly(fromArray.rows()[i]);
    }
    assertThat(fromJson.predicted()).containsExactly(fromArray.predicted());
    for (int i = 0; i < fromJson.size(); i++) {
      if (fromArray.shap()[i] == null) {
        assertThat(fromJson.shap()[i]).as("explanation of row %d", i).isNull();
      } else {
        assertThat(fromJson.shap()[i]).as("explanation of row %d", i).containsExactly(fromArray.shap()[i]);
      }
    }
    assertThat(fromJson.undecided()).isEqualTo(8).isEqualTo(fromArray.undecided());
  }
}
