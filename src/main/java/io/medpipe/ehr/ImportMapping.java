package io.medpipe.ehr;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the columns of an export map onto the EHR schema (a JSON file beside the export, see docs/import.md).
 * Every column of the file must be mapped (or mapped as "ignore"), so a renamed or extra column is an error,
 * not silently dropped.
 *
 * @param indexDate date of the one encounter each imported row becomes; ages are at this date
 * @param idPrefix  prefix of generated MRNs (prefix-line) when no column is mapped "as": "mrn"
 * @param columns   column name to mapping
 */
public record ImportMapping(LocalDate indexDate, String idPrefix, Map<String, Column> columns) {

  /** Roles a column can play. */
  public static final Set<String> ROLES = Set.of("age", "birth_date", "sex", "lab", "symptom", "label", "note",
      "mrn", "national_id", "given_name", "family_name", "address", "zip", "phone", "email", "ignore");

  /**
   * One column.
   *
   * @param as        its role (see {@link #ROLES})
   * @param code      observation code (lab) or HPO code (symptom)
   * @param unit      unit of a lab
   * @param levels    for a categorical lab: the values in order; the observation is the value's index
   * @param values    sex: file value to M/F; label: file value to diagnosis code (null = no diagnosis)
   * @param present   symptom: values meaning present (default yes, true, 1, y)
   * @param absent    symptom: values meaning absent (default no, false, 0, n)
   */
  public record Column(String as, String code, String unit, List<String> levels,
                       @JsonProperty("values") Map<String, String> values, List<String> present,
                       List<String> absent) {}

  private static final ObjectMapper READER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .findAndAddModules()
      .build();

  public ImportMapping {
    columns = columns == null ? Map.of() : new LinkedHashMap<>(columns);
  }

  /** Reads and validates a mapping; the message lists every problem. */
  public static ImportMapping load(String name, InputStream in) {
    ImportMapping m;
    try {
      m = READER.readValue(in, ImportMapping.class);
    } catch (JsonProcessingException e) {
      throw new ImportException(name, List.of(name + ": not a valid mapping (line "
          + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + "): " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read mapping " + name, e);
    }
    List<String> problems = new ArrayList<>();
    if (m == null) {
      throw new ImportException(name, List.of(name + " is empty"));
    }
    if (m.indexDate() == null) {
      problems.add(name + ": indexDate is missing");
    }
    int labels = 0;
    int ages = 0;
    int sexes = 0;
    for (Map.Entry<String, Column> e : m.columns().entrySet()) {
      Column c = e.getValue();
      String where = name + ": column " + e.getKey();
      if (c == null || c.as() == null || !ROLES.contains(c.as())) {
        problems.add(where + ": \"as\" must be one of " + new java.util.TreeSet<>(ROLES));
        continue;
      }
      switch (c.as()) {
        case "lab", "symptom" -> {
          if (c.code() == null || !c.code().matches("[A-Za-z0-9:._-]{1,64}")) {
            problems.add(where + ": a " + c.as() + " needs a code of letters, digits and :._-");
          }
        }
        case "label" -> {
          labels++;
          if (c.values() == null || c.values().isEmpty()) {
            problems.add(where + ": a label needs \"values\" (file value -> diagnosis code, null = none)");
          }
        }
        case "age", "birth_date" -> ages++;
        case "sex" -> sexes++;
        default -> {}
      }
    }
    if (labels != 1) {
      problems.add(name + ": exactly one column must be the label, found " + labels);
    }
    if (ages != 1) {
      problems.add(name + ": exactly one column must give the age or birth_date, found " + ages);
    }
    if (sexes != 1) {
      problems.add(name + ": exactly one column must give the sex, found " + sexes);
    }
    if (!problems.isEmpty()) {
      throw new ImportException(name, problems);
    }
    return m;
  }

  public String idPrefixOrDefault() {
    return idPrefix == null || idPrefix.isBlank() ? "IMP" : idPrefix;
  }
}
