package io.medpipe.ehr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.medpipe.dataset.Feature;
import io.medpipe.dataset.FeatureType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;

class FeatureSpecTest {

  static FeatureSpec shipped() {
    return FeatureSpec.load(new ClassPathResource("ehr/feature-spec.json"));
  }

  static String shippedJson() throws IOException {
    try (InputStream in = new ClassPathResource("ehr/feature-spec.json").getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static FeatureSpec parse(String json) {
    return FeatureSpec.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void shippedSpecHasTheFabryCohortFeaturesInOrder() {
    FeatureSpec spec = shipped();
    assertThat(spec.name()).isEqualTo("fabry-cohort");
    assertThat(spec.targetClass()).isEqualTo("fabry");
    assertThat(spec.classLabels()).containsExactly("fabry", "hcm", "ckd", "none");
    assertThat(spec.indexDate().resolve(LocalDate.of(2030, 1, 1))).isEqualTo(LocalDate.of(2025, 1, 1));
    List<Feature> features = spec.features();
    assertThat(features).extracting(Feature::name).containsExactly("age", "sex", "creatinine", "egfr", "uacr",
        "lvmi", "hemoglobin", "crp", "acroparesthesia", "angiokeratoma", "hypohidrosis", "corneal_verticillata",
        "abdominal_pain", "fatigue", "dyspnea", "hypertension", "edema", "palpitations", "tinnitus");
    assertThat(features.get(0)).isEqualTo(Feature.numeric("age", "years", 0, 120, true));
    assertThat(features.get(1)).isEqualTo(Feature.categorical("sex", List.of("F", "M"), true));
    assertThat(features.get(2)).isEqualTo(Feature.numeric("creatinine", "mg/dL", 0.1, 20, false));
    assertThat(features.get(9)).isEqualTo(Feature.binary("angiokeratoma", false));
    assertThat(spec.featureDefs().get(3).code()).isEqualTo("33914-3");
    assertThat(features.stream().filter(f -> f.type() == FeatureType.BINARY)).hasSize(11);
  }

  @Test
  void hashIgnoresFormattingButNotContent() throws IOException {
    String json = shippedJson();
    String reformatted = json.replaceAll("\\s+", "").replace("{\"name\":\"fabry-cohort\",\"version\":1,",
        "{\"version\":1,\"name\":\"fabry-cohort\",");
    assertThat(reformatted).isNotEqualTo(json);
    assertThat(parse(reformatted).sha256()).isEqualTo(shipped().sha256()).hasSize(64);
    String changed = json.replace("\"max\": 20,", "\"max\": 25,");
    assertThat(changed).isNotEqualTo(json);
    assertThat(parse(changed).sha256()).isNotEqualTo(shipped().sha256());
  }

  @Test
  void canonicalJsonKeepsTheSpecKeys() {
    String canonical = new String(shipped().canonicalBytes(), StandardCharsets.UTF_8);
    assertThat(canonical).contains("\"features\":[", "\"default\":\"none\"", "\"orphaCode\":\"324\"")
        .doesNotContain("featureDefs", "defaultLabel", "\"demographic\":", " ");
    assertThat(parse(canonical)).isEqualTo(shipped());
  }

  @Test
  void rejectsUnknownKeysWithTheirName() throws IOException {
    String json = shippedJson().replace("\"targetClass\"", "\"targetClas\"");
    assertThatThrownBy(() -> parse(json)).isInstanceOf(FeatureSpec.InvalidSpecException.class)
        .hasMessageContaining("targetClas");
  }

  @Test
  void listsEveryProblemOfAnInvalidSpec() throws IOException {
    String json = shippedJson()
        .replace("\"targetClass\": \"fabry\"", "\"targetClass\": \"gaucher\"")
        .replace("\"name\": \"egfr\"", "\"name\": \"creatinine\"")
        .replace("\"code\": \"HP:0000360\", \"type\": \"BINARY\"", "\"code\": \"HP:0000360\", \"type\": \"NUMERIC\"")
        .replace("{\"label\": \"hcm\", \"icd10\": \"I42.1\"}", "{\"label\": \"hcm\"}")
        .replace("\"source\": \"lab\", \"code\": \"LVMI\"", "\"source\": \"imaging\", \"code\": \"LVMI\"");
    assertThatThrownBy(() -> parse(json)).isInstanceOf(FeatureSpec.InvalidSpecException.class)
        .hasMessageContaining("targetClass gaucher is not one of the label classes [fabry, hcm, ckd]")
        .hasMessageContaining("features[3] (creatinine): duplicate feature name")
        .hasMessageContaining("(tinnitus): a symptom feature must be BINARY")
        .hasMessageContaining("(hcm) needs orphaCode or icd10")
        .hasMessageContaining("(lvmi).source must be demographic, lab or symptom, was imaging");
  }

  @Test
  void rejectsFixedIndexDateThatIsNotADate() throws IOException {
    String json = shippedJson().replace("\"2025-01-01\"", "\"01/01/2025\"");
    assertThatThrownBy(() -> parse(json)).hasMessageContaining("indexDate.date must be an ISO date");
  }
}
