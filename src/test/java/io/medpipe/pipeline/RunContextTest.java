package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.junit.jupiter.api.Test;

class RunContextTest {

  static final String RUN = "0f8e3c52-33a4-4f0e-8f5e-7c0d3f3b2a11";
  static final String VERSION = "3f0c1c9e-8a53-4a0e-9c55-6a1b2f1d7e01";

  @Test
  void convertsTheIdsAndGivesThemBackAsTheProcessStoresThem() {
    Map<String, Object> variables = Map.of(VAR_TRAINING_RUN_ID, RUN, VAR_TARGET_CLASS, "fabry",
        VAR_MODEL_VERSION_ID, Variables.stringValue(VERSION), "rareRecall", 0.91);

    RunContext context = RunContext.fromVariables(variables);

    assertThat(context.trainingRunId()).isEqualTo(UUID.fromString(RUN));
    assertThat(context.modelVersionId()).isEqualTo(UUID.fromString(VERSION));
    assertThat(context.targetClass()).isEqualTo("fabry");
    assertThat(context.previousProductionVersionId()).isNull();
    assertThat(context.asMap()).containsEntry(VAR_TRAINING_RUN_ID, RUN).containsEntry(VAR_MODEL_VERSION_ID, VERSION)
        .containsEntry(VAR_TARGET_CLASS, "fabry").doesNotContainKeys(VAR_SNAPSHOT_ID, VAR_EXTRACT_ID, "rareRecall");
    assertThat(RunContext.fromVariables(context.asMap())).isEqualTo(context);
  }

  @Test
  void anIdTheRunDoesNotHoldIsNamedWhenAStepReadsIt() {
    RunContext context = RunContext.fromVariables(Map.of(VAR_TRAINING_RUN_ID, RUN));

    assertThatThrownBy(context::modelVersionId).isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("process variable modelVersionId is missing");
    assertThatThrownBy(context::snapshotId).hasMessageStartingWith("process variable snapshotId is missing");
    assertThatThrownBy(context::targetClass).hasMessageStartingWith("process variable targetClass is missing");
  }

  @Test
  void aMalformedVariableIsNamedWithoutQuotingItsValue() {
    assertThatThrownBy(() -> RunContext.fromVariables(Map.of(VAR_SNAPSHOT_ID, "Jane Doe, MRN 0042")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("process variable snapshotId is not an id (UUID) but text of 18 characters")
        .message().doesNotContain("Jane").doesNotContain("0042");
    assertThatThrownBy(() -> RunContext.fromVariables(Map.of(VAR_MODEL_VERSION_ID, 42)))
        .hasMessageStartingWith("process variable modelVersionId is not an id (UUID) but Integer");
    assertThatThrownBy(() -> RunContext.fromVariables(Map.of(VAR_TARGET_CLASS, 1.5)))
        .hasMessageStartingWith("process variable targetClass is not text but Double");
    assertThatThrownBy(() -> RunContext.fromVariables(Map.of(VAR_VALIDATION_PASSED, "yes")))
        .hasMessageStartingWith("process variable validationPassed is not true or false");
    assertThatThrownBy(() -> RunContext.fromVariables(Map.of(VAR_VALIDATION_FAILURES, serialized("{\"a\":1}"))))
        .hasMessageStartingWith("process variable validationFailures is not a JSON list");
    assertThatThrownBy(() -> RunContext.fromVariables(Map.of(VAR_VALIDATION_RESULTS, serialized("[null]"))))
        .hasMessageStartingWith("process variable validationResults is not a JSON list without empty entries");
  }

  /** As the external-task client hands them over: JSON text of a type the stream names, never instantiated. */
  @Test
  void readsTheValidationListsFromTheirSerializedForm() {
    Map<String, Object> variables = new HashMap<>();
    variables.put(VAR_VALIDATION_RESULTS, Variables.serializedObjectValue(
        "[{\"rule\":\"rare-class ROC-AUC\",\"threshold\":0.8,\"value\":0.95,\"passed\":true}]")
        .serializationDataFormat(Variables.SerializationDataFormats.JSON)
        .objectTypeName("com.example.NotOnTheClasspath").create());
    variables.put(VAR_VALIDATION_FAILURES, serialized("[\"rare-class recall 0.62 < 0.80\"]"));
    variables.put(VAR_VALIDATION_PASSED, Variables.booleanValue(false));

    RunContext context = RunContext.fromVariables(variables);

    assertThat(context.validationResults()).containsExactly(
        Map.of("rule", "rare-class ROC-AUC", "threshold", 0.8, "value", 0.95, "passed", true));
    assertThat(context.validationFailures()).containsExactly("rare-class recall 0.62 < 0.80");
    assertThat(context.validationPassed()).isFalse();
  }

  /** What {@link RunContext#from} hands over: the external-task client's VariableMap, objects not deserialized. */
  @Test
  void readsTheValidationListsFromAVariableMapWithoutDeserializingThem() {
    VariableMap variables = Variables.createVariables()
        .putValueTyped(VAR_VALIDATION_FAILURES, Variables.serializedObjectValue("[\"rare-class recall 0.62 < 0.80\"]")
            .serializationDataFormat(Variables.SerializationDataFormats.JSON)
            .objectTypeName("com.example.NotOnTheClasspath").create())
        .putValueTyped(VAR_TRAINING_RUN_ID, Variables.stringValue(RUN));

    RunContext context = RunContext.fromVariables(variables);

    assertThat(context.validationFailures()).containsExactly("rare-class recall 0.62 < 0.80");
    assertThat(context.trainingRunId()).isEqualTo(UUID.fromString(RUN));
  }

  @Test
  void absentValidationListsAreEmptyAndAnAbsentVerdictIsAFailure() {
    RunContext context = RunContext.fromVariables(Map.of(VAR_VALIDATION_RESULTS, List.of()));

    assertThat(context.validationResults()).isEmpty();
    assertThat(context.validationFailures()).isEmpty();
    assertThat(context.validationPassed()).isFalse();
  }

  private static Object serialized(String json) {
    return Variables.serializedObjectValue(json).serializationDataFormat(Variables.SerializationDataFormats.JSON)
        .objectTypeName("java.util.ArrayList").create();
  }
}
