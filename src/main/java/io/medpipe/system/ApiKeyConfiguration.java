package io.medpipe.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Puts {@link ApiKeyFilter} in front of medpipe's own API on nodes that serve predictions. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "medpipe.serving.enabled", havingValue = "true", matchIfMissing = true)
class ApiKeyConfiguration {

  @Bean
  FilterRegistrationBean<ApiKeyFilter> apiKeyAuthentication(ApiKeys keys, ObjectMapper json,
                                                            MedpipeProperties properties) {
    FilterRegistrationBean<ApiKeyFilter> registration =
        new FilterRegistrationBean<>(new ApiKeyFilter(keys, json, properties.serving().maxBodyBytes()));
    registration.setName("medpipe-api-keys");
    registration.addUrlPatterns("/api/v1/*");
    registration.setOrder(2);
    return registration;
  }
}
