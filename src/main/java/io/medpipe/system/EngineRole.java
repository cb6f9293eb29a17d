package io.medpipe.system;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;

/**
 * Marks beans that exist only where this process hosts the Camunda engine (the default, all-in-one role).
 * A worker-only process ({@code SPRING_PROFILES_ACTIVE=worker}) sets {@code camunda.bpm.enabled=false} and has none.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ConditionalOnProperty(name = "camunda.bpm.enabled", havingValue = "true", matchIfMissing = true)
public @interface EngineRole {
}
