package io.medpipe.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import io.medpipe.dataset.Feature;
import io.medpipe.serving.RequestEncoder.Encoded;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule a prediction request's features are checked against, on a four-feature spec. */
class RequestEncoderTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static final List<Feature> SPEC = List.of(
      Feature.numeric("creatinine", "mg/dL", 0.1, 15.0, true),
      Feature.binary("angiokeratoma", true),
      Feature.categorical("sex", List.of("F", "M"), true),
      Feature.numeric("lvmi", "g/m2", 30, 300, false));

  /** A request whose every field is valid, as JSON text values so each test changes only what it is about. */
  static Map<String, JsonNode> valid() {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    m.put("creatinine", node("1.2"));
    m.put("angiokeratoma", node("true"));
    m.put("sex", node("\"M\""));
    m.put("lvmi", node("110"));
    return m;
  }

  static JsonNode node(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  static Map<String, JsonNode> with(String name, String json) {
    Map<String, JsonNode> m = valid();
    m.put(name, node(json));
    return m;
  }

  static List<FieldProblem> problemsOf(Map<String, JsonNode> request) {
    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
        () -> RequestEncoder.encode(SPEC, request));
    assertThat(e).as("request should have been refused").isNotNull();
    return e.problems();
  }

  @Test
  void encodesAValidRequestInSpecOrder() {
    Encoded encoded = RequestEncoder.encode(SPEC, valid());

    assertThat(encoded.row()).containsExactly(1.2, 1.0, 1.0, 110.0);
    assertThat(encoded.values()).containsExactly(Map.entry("creatinine", 1.2), Map.entry("angiokeratoma", true),
        Map.entry("sex", "M"), Map.entry("lvmi", 110.0));
  }

  @Test
  void refusesAnUnknownFeatureAndNamesTheAcceptedOnes() {
    List<FieldProblem> problems = problemsOf(with("cholesterol", "5"));

    assertThat(problems).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("features.cholesterol");
      assertThat(p.message()).contains("unknown feature").contains("creatinine", "lvmi");
    });
  }

  @Test
  void refusesAMissingRequiredFeature() {
    Map<String, JsonNode> request = valid();
    request.remove("creatinine");

    assertThat(problemsOf(request)).containsExactly(new FieldProblem("features.creatinine", "is required"));
  }

  @Test
  void treatsAnExplicitNullLikeAMissingValue() {
    assertThat(problemsOf(with("sex", "null"))).containsExactly(new FieldProblem("features.sex", "is required"));
  }

  @Test
  void refusesMissingFeaturesMap() {
    assertThatThrownBy(() -> RequestEncoder.encode(SPEC, null)).isInstanceOf(InvalidRequestException.class)
        .extracting(e -> ((InvalidRequestException) e).problems())
        .isEqualTo(List.of(new FieldProblem("features", "is required")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"1.2\"", "true", "[1.2]", "{\"value\": 1.2}"})
  void refusesANumericFeatureThatIsNotANumber(String json) {
    assertThat(problemsOf(with("creatinine", json)))
        .containsExactly(new FieldProblem("features.creatinine", "must be a number (mg/dL)"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0999", "15.0001", "-3", "1e6"})
  void refusesANumericValueOutsideThePlausibleRange(String json) {
    assertThat(problemsOf(with("creatinine", json))).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("features.creatinine");
      assertThat(p.message()).contains("outside the plausible range [0.1, 15.0]").endsWith("(mg/dL)");
    });
  }

  @ParameterizedTest
  @ValueSource(doubles = {0.1, 15.0})
  void acceptsTheRangeBoundsThemselves(double bound) {
    Encoded encoded = RequestEncoder.encode(SPEC, with("creatinine", Double.toString(bound)));

    assertThat(encoded.row()[0]).isEqualTo(bound);
  }

  @Test
  void acceptsAnIntegerJsonValueForANumericFeature() {
    assertThat(RequestEncoder.encode(SPEC, with("creatinine", "2")).row()[0]).isEqualTo(2.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"true:1", "false:0", "1:1", "0:0"})
  void acceptsBooleansAndZeroOrOneForABinaryFeature(String example) {
    String[] parts = example.split(":");
    Encoded encoded = RequestEncoder.encode(SPEC, with("angiokeratoma", parts[0]));

    assertThat(encoded.row()[1]).isEqualTo(Double.parseDouble(parts[1]));
    assertThat(encoded.values().get("angiokeratoma")).isEqualTo(parts[1].equals("1"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2", "-1", "\"yes\"", "\"true\"", "0.5"})
  void refusesAnythingElseForABinaryFeature(String json) {
    assertThat(problemsOf(with("angiokeratoma", json)))
        .containsExactly(new FieldProblem("features.angiokeratoma", "must be true or false"));
  }

  @Test
  void encodesACategoricalLevelAsItsIndex() {
    assertThat(RequestEncoder.encode(SPEC, with("sex", "\"F\"")).row()[2]).isEqualTo(0.0);
    assertThat(RequestEncoder.encode(SPEC, with("sex", "\"M\"")).row()[2]).isEqualTo(1.0);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"X\"", "\"m\"", "1", "0"})
  void refusesAnUnknownCategoricalLevelOrANonText(String json) {
    assertThat(problemsOf(with("sex", json)))
        .containsExactly(new FieldProblem("features.sex", "must be one of [F, M]"));
  }

  @Test
  void reportsEveryProblemOfARequestTogether() {
    Map<String, JsonNode> request = new HashMap<>();
    request.put("creatinine", node("99"));
    request.put("angiokeratoma", node("\"yes\""));
    request.put("smoker", node("true"));
    // sex (required) missing; lvmi (optional) missing is fine

    InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class,
        () -> RequestEncoder.encode(SPEC, request));

    assertThat(e.problems()).extracting(FieldProblem::field).containsExactlyInAnyOrder(
        "features.smoker", "features.creatinine", "features.angiokeratoma", "features.sex");
    assertThat(e.getMessage()).contains("features.smoker", "features.creatinine", "features.angiokeratoma",
        "features.sex");
  }

  @Test
  void leavesAMissingOptionalFeatureAsNaN() {
    Map<String, JsonNode> request = valid();
    request.remove("lvmi");

    Encoded encoded = RequestEncoder.encode(SPEC, request);

    assertThat(encoded.row()[3]).isNaN();
    assertThat(encoded.values()).doesNotContainKey("lvmi");
  }

  @Test
  void decodeIsTheInverseOfEncode() {
    for (String sex : List.of("F", "M")) {
      for (boolean ak : List.of(true, false)) {
        Map<String, JsonNode> request = valid();
        request.put("sex", node("\"" + sex + "\""));
        request.put("angiokeratoma", node(Boolean.toString(ak)));
        request.remove("lvmi");
        double[] row = RequestEncoder.encode(SPEC, request).row();

        Map<String, JsonNode> decoded = new LinkedHashMap<>();
        for (int j = 0; j < SPEC.size(); j++) {
          Object value = RequestEncoder.decode(SPEC.get(j), row[j]);
          decoded.put(SPEC.get(j).name(), value == null ? NullNode.getInstance() : JSON.valueToTree(value));
        }

        assertThat(decoded.get("sex").textValue()).isEqualTo(sex);
        assertThat(decoded.get("angiokeratoma").booleanValue()).isEqualTo(ak);
        assertThat(decoded.get("creatinine").doubleValue()).isEqualTo(1.2);
        assertThat(decoded.get("lvmi").isNull()).isTrue();
        assertThat(RequestEncoder.encode(SPEC, decoded).row()).isEqualTo(row);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"name", "patient_name", "surname", "mrn", "email", "phone", "date_of_birth", "dob",
      "address", "ssn", "insurance_number", "patient_id"})
  void refusesAFieldNamedLikeAnIdentifierAndSaysWhy(String name) {
    assertThat(problemsOf(with(name, "\"x\""))).singleElement().satisfies(p -> {
      assertThat(p.field()).isEqualTo("features." + name);
      assertThat(p.message()).contains("direct identifier");
    });
  }

  @Test
  void refusesInfinityAsANumber() {
    assertThat(problemsOf(with("creatinine", "1e400")))
        .containsExactly(new FieldProblem("features.creatinine", "must be a finite number"));
  }
}
