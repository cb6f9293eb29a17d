package io.medpipe.system;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.stereotype.Component;

/**
 * JSON for the platform's jsonb columns: the application's ObjectMapper with unchecked failures, since a value
 * medpipe wrote itself that cannot be (de)serialised is a bug, not a condition a caller can handle.
 */
@Component
public class Json {

  private final ObjectMapper mapper;

  public Json(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  public String write(Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /** Reads a JSON document; null stays null (a column not written yet). */
  public <T> T read(String value, TypeReference<T> type) {
    if (value == null) {
      return null;
    }
    try {
      return mapper.readValue(value, type);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot read stored JSON as " + type.getType(), e);
    }
  }

  public ObjectMapper mapper() {
    return mapper;
  }
}
