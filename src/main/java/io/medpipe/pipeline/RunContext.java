package io.medpipe.pipeline;

import static io.medpipe.pipeline.ProcessConstants.VAR_EXTRACT_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_MODEL_VERSION_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_PREVIOUS_PRODUCTION_VERSION_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_SNAPSHOT_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_TARGET_CLASS;
import static io.medpipe.pipeline.ProcessConstants.VAR_TRAINING_RUN_ID;
import static io.medpipe.pipeline.ProcessConstants.VAR_VALIDATION_FAILURES;
import static io.medpipe.pipeline.ProcessConstants.VAR_VALIDATION_PASSED;
import static io.medpipe.pipeline.ProcessConstants.VAR_VALIDATION_RESULTS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.value.ObjectValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * The variables of a pipeline run that its workers read, converted once at the worker edge: ids as {@link UUID},
 * the clinical-validation rows and reasons as lists. Each stage holds only the part of it its contract passes in
 * (docs/pipeline.md, Stage contracts) plus what its own steps wrote.
 *
 * <p>Converting is strict: a variable that is present but is not what its name promises (an id that is not a UUID,
 * a list that is not a JSON list) fails {@link #from} with a message that names the variable. Reading an id the run
 * does not hold fails the same way, through its accessor. A handler lets either propagate: the worker turns it into
 * a failed step and, once the retries are used up, an incident with that message, never a NullPointerException.
 * Messages name the variable and the kind of value, never the value itself (a hand-edited variable could carry
 * anything).
 *
 * @param previousProductionVersionId what production served before this run's deployment; null when nothing was
 *     (rollback then empties the slot)
 * @param validationPassed whether every clinical threshold was met; false when the decision did not say
 * @param validationResults the rows of the DMN decision clinical-validation; empty when the decision did not run
 * @param validationFailures the reasons the model was rejected; empty when it passed
 */
public record RunContext(UUID extractId, UUID snapshotId, String targetClass, UUID trainingRunId, UUID modelVersionId,
                         UUID previousProductionVersionId, boolean validationPassed,
                         List<Map<String, Object>> validationResults, List<String> validationFailures) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<List<Map<String, Object>>> ROWS = new TypeReference<>() {};
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

  public RunContext {
    validationResults = validationResults == null ? List.of() : List.copyOf(validationResults);
    validationFailures = validationFailures == null ? List.of() : List.copyOf(validationFailures);
  }

  /** The context of the run an external task belongs to, from the variables the task was fetched with. */
  public static RunContext from(ExternalTask task) {
    return fromVariables(task.getAllVariablesTyped(false));
  }

  /**
   * The context from a map of variables as the engine or the external-task client hands them: plain values or
   * {@link TypedValue}s; JSON object values (the validation lists) are read from their serialized form, so no class
   * named by the stream is instantiated.
   *
   * @throws IllegalArgumentException naming the first variable that is present but malformed
   */
  public static RunContext fromVariables(Map<String, ?> variables) {
    return new RunContext(id(variables, VAR_EXTRACT_ID), id(variables, VAR_SNAPSHOT_ID),
        text(variables, VAR_TARGET_CLASS), id(variables, VAR_TRAINING_RUN_ID), id(variables, VAR_MODEL_VERSION_ID),
        id(variables, VAR_PREVIOUS_PRODUCTION_VERSION_ID), flag(variables, VAR_VALIDATION_PASSED),
        list(variables, VAR_VALIDATION_RESULTS, ROWS), list(variables, VAR_VALIDATION_FAILURES, STRINGS));
  }

  /**
   * The variables this context holds, as a process stores them (ids as text, lists as lists); the absent ones are
   * left out, so the map can start or complete a step without overwriting anything with null.
   */
  public Map<String, Object> asMap() {
    Map<String, Object> variables = new LinkedHashMap<>();
    put(variables, VAR_EXTRACT_ID, extractId);
    put(variables, VAR_SNAPSHOT_ID, snapshotId);
    put(variables, VAR_TARGET_CLASS, targetClass);
    put(variables, VAR_TRAINING_RUN_ID, trainingRunId);
    put(variables, VAR_MODEL_VERSION_ID, modelVersionId);
    put(variables, VAR_PREVIOUS_PRODUCTION_VERSION_ID, previousProductionVersionId);
    variables.put(VAR_VALIDATION_PASSED, validationPassed);
    variables.put(VAR_VALIDATION_RESULTS, validationResults);
    variables.put(VAR_VALIDATION_FAILURES, validationFailures);
    return variables;
  }

  // Accessors of what a step cannot do without: reading one the run does not hold names it.

  /** The identified EHR extract (extract-data), which pseudonymize turns into a snapshot. */
  @Override
  public UUID extractId() {
    return required(extractId, VAR_EXTRACT_ID);
  }

  /** The pseudonymised snapshot (pseudonymize), which EDA and training read. */
  @Override
  public UUID snapshotId() {
    return required(snapshotId, VAR_SNAPSHOT_ID);
  }

  /** The rare disease the model is for (extract-data, from the extraction spec). */
  @Override
  public String targetClass() {
    return required(targetClass, VAR_TARGET_CLASS);
  }

  /** The trained model (train-model): evaluated, validated, then registered by Staging. */
  @Override
  public UUID trainingRunId() {
    return required(trainingRunId, VAR_TRAINING_RUN_ID);
  }

  /** The registered version (register-model) that staging and production serve. */
  @Override
  public UUID modelVersionId() {
    return required(modelVersionId, VAR_MODEL_VERSION_ID);
  }

  private static <T> T required(T value, String name) {
    if (value == null) {
      throw new IllegalStateException("process variable " + name + " is missing: this step needs it and the run"
          + " does not hold it (see docs/pipeline.md, Stage contracts)");
    }
    return value;
  }

  private static Object raw(Map<String, ?> variables, String name) {
    // a VariableMap's get() deserializes an object value; its typed value gives the JSON text instead
    Object value = variables instanceof VariableMap typed ? typed.getValueTyped(name) : variables.get(name);
    if (value instanceof ObjectValue object) {
      return object.isDeserialized() ? object.getValue() : object.getValueSerialized();
    }
    return value instanceof TypedValue typed ? typed.getValue() : value;
  }

  private static UUID id(Map<String, ?> variables, String name) {
    Object value = raw(variables, name);
    if (value == null || value instanceof UUID) {
      return (UUID) value;
    }
    if (value instanceof String text) {
      try {
        return UUID.fromString(text);
      } catch (IllegalArgumentException e) {
        throw malformed(name, "an id (UUID)", value);
      }
    }
    throw malformed(name, "an id (UUID)", value);
  }

  private static String text(Map<String, ?> variables, String name) {
    Object value = raw(variables, name);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw malformed(name, "text", value);
  }

  private static boolean flag(Map<String, ?> variables, String name) {
    Object value = raw(variables, name);
    if (value == null || value instanceof Boolean) {
      return Boolean.TRUE.equals(value);
    }
    throw malformed(name, "true or false", value);
  }

  private static <T extends List<?>> T list(Map<String, ?> variables, String name, TypeReference<T> type) {
    Object value = raw(variables, name);
    T list;
    try {
      String text = value == null ? "[]" : value instanceof String s ? s : null;
      list = text != null ? JSON.readValue(text, type) : JSON.convertValue(value, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw malformed(name, "a JSON list", value);
    }
    if (list == null || list.contains(null)) {
      throw malformed(name, "a JSON list without empty entries", value);
    }
    return list;
  }

  private static IllegalArgumentException malformed(String name, String expected, Object value) {
    String got = value instanceof String s ? "text of " + s.length() + " characters" : value.getClass().getSimpleName();
    return new IllegalArgumentException("process variable " + name + " is not " + expected + " but " + got
        + ": it was not written by medpipe's step, or was edited");
  }

  private static void put(Map<String, Object> variables, String name, Object value) {
    if (value != null) {
      variables.put(name, value instanceof UUID id ? id.toString() : value);
    }
  }
}
