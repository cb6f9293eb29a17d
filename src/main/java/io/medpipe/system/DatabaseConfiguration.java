package io.medpipe.system;

import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/**
 * Chooses the database: an external PostgreSQL when {@code MEDPIPE_DB_URL} (spring.datasource.url) is set,
 * otherwise the embedded one started here. The engine and the platform share the DataSource, so one
 * transaction covers a process step and the platform rows it writes.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("'${spring.datasource.url:}'.isBlank()")
class DatabaseConfiguration {

  @Bean(destroyMethod = "close")
  EmbeddedDatabase embeddedDatabase(@Value("${medpipe.db.embedded-dir:./data/postgres}") String dataDir,
                                    @Value("${medpipe.db.embedded-port:0}") int port,
                                    @Value("${medpipe.db.embedded-password}") String password)
      throws Exception {
    return EmbeddedDatabase.start(dataDir, port, password);
  }

  @Bean
  @Primary
  @ConfigurationProperties("spring.datasource.hikari")
  HikariDataSource dataSource(EmbeddedDatabase database, DataSourceProperties properties) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(database.jdbcUrl());
    ds.setUsername(database.user());
    ds.setPassword(database.password());
    ds.setPoolName("medpipe-embedded");
    return ds;
  }

  /** Marker for tests and the README: which database this process uses. */
  static boolean isEmbedded(DataSource dataSource) {
    return dataSource instanceof HikariDataSource h && "medpipe-embedded".equals(h.getPoolName());
  }
}
