# medpipe: one image, several roles (all-in-one by default; SPRING_PROFILES_ACTIVE=worker for a worker).
# Build: mvn -B package -DskipTests && docker build -t medpipe .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/medpipe --create-home medpipe \
    && apt-get update && apt-get install -y --no-install-recommends util-linux curl && rm -rf /var/lib/apt/lists/*
WORKDIR /var/lib/medpipe
COPY target/medpipe.jar /opt/medpipe/medpipe.jar
USER medpipe
ENV MEDPIPE_DATA_DIR=/var/lib/medpipe/data
# every role listens on 8080, its actuator on 8081, inside its own container (the worker profile's defaults,
# 8082/8083, are for one host beside an engine node); the actuator binds to 127.0.0.1 unless
# MEDPIPE_MANAGEMENT_ADDRESS is set (docker-compose.yml: 0.0.0.0, for Prometheus)
ENV MEDPIPE_PORT=8080 MEDPIPE_MANAGEMENT_PORT=8081
EXPOSE 8080
# the readiness probe is on the main port too (/readyz), whatever the management address
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD curl -fsS "http://localhost:${MEDPIPE_PORT:-8080}/readyz" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/medpipe/medpipe.jar"]
