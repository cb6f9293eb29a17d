package io.medpipe.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.medpipe.dataset.Feature;
import io.medpipe.system.InvalidRequestException;
import io.medpipe.system.InvalidRequestException.FieldProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a prediction request's clinical features against the deployed model's feature spec and encodes them as
 * a model row. Every problem is collected, so one 400 response names all offending fields.
 */
final class RequestEncoder {

  /**
   * Field names that would carry a direct identifier. A request naming one is refused with a message saying so,
   * whatever the model's features are: identifiers must never reach the API, its logs or the prediction record.
   */
  static final Pattern IDENTIFIER_LIKE = Pattern.compile(
      "(?i).*(^|_)(name|surname|firstname|lastname|family_name|given_name|mrn|ssn|nhs|insurance|email|e_mail|phone"
          + "|mobile|address|street|zip|postcode|postal|dob|birth|birthdate|date_of_birth|patient_id|patientid"
          + "|passport|national_id|social_security)($|_).*");

  private RequestEncoder() {}

  /** The encoded row and the accepted values by name (what the prediction log records). */
  record Encoded(double[] row, Map<String, Object> values) {}

  static Encoded encode(List<Feature> spec, Map<String, JsonNode> features) {
    List<FieldProblem> problems = new ArrayList<>();
    if (features == null) {
      throw new InvalidRequestException("features", "is required");
    }
    for (String name : features.keySet()) {
      if (spec.stream().noneMatch(f -> f.name().equals(name)) && IDENTIFIER_LIKE.matcher(name).matches()) {
        problems.add(new FieldProblem("features." + name, "looks like a direct identifier; never send names, "
            + "record numbers, contact details or birth dates, only the model's clinical features"));
      } else if (spec.stream().noneMatch(f -> f.name().equals(name))) {
        problems.add(new FieldProblem("features." + name, "unknown feature; the model accepts "
            + spec.stream().map(Feature::name).toList()));
      }
    }
    double[] row = new double[spec.size()];
    Map<String, Object> values = new LinkedHashMap<>();
    for (int j = 0; j < spec.size(); j++) {
      Feature f = spec.get(j);
      JsonNode v = features.get(f.name());
      String field = "features." + f.name();
      row[j] = Double.NaN;
      if (v == null || v.isNull()) {
        if (f.required()) {
          problems.add(new FieldProblem(field, "is required"));
        }
        continue;
      }
      switch (f.type()) {
        case NUMERIC -> {
          if (!v.isNumber()) {
            problems.add(new FieldProblem(field, "must be a number" + unit(f)));
          } else if (!Double.isFinite(v.doubleValue())) {
            problems.add(new FieldProblem(field, "must be a finite number"));
          } else if (v.doubleValue() < f.min() || v.doubleValue() > f.max()) {
            problems.add(new FieldProblem(field, "is " + v.doubleValue() + ", outside the plausible range ["
                + f.min() + ", " + f.max() + "]" + unit(f)));
          } else {
            row[j] = v.doubleValue();
            values.put(f.name(), v.doubleValue());
          }
        }
        case BINARY -> {
          if (v.isBoolean()) {
            row[j] = v.booleanValue() ? 1 : 0;
            values.put(f.name(), v.booleanValue());
          } else if (v.isIntegralNumber() && (v.intValue() == 0 || v.intValue() == 1)) {
            row[j] = v.intValue();
            values.put(f.name(), v.intValue() == 1);
          } else {
            problems.add(new FieldProblem(field, "must be true or false"));
          }
        }
        case CATEGORICAL -> {
          int level = v.isTextual() ? f.levels().indexOf(v.textValue()) : -1;
          if (level < 0) {
            problems.add(new FieldProblem(field, "must be one of " + f.levels()));
          } else {
            row[j] = level;
            values.put(f.name(), v.textValue());
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidRequestException(problems);
    }
    return new Encoded(row, values);
  }

  /** The JSON value of an encoded feature, the inverse of {@link #encode} (used to build test requests). */
  static Object decode(Feature f, double value) {
    if (Double.isNaN(value)) {
      return null;
    }
    return switch (f.type()) {
      case NUMERIC -> value;
      case BINARY -> value >= 0.5;
      case CATEGORICAL -> f.levels().get((int) value);
    };
  }

  private static String unit(Feature f) {
    return f.unit() == null ? "" : " (" + f.unit() + ")";
  }
}
