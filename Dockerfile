# medpipe: one image, several roles (all-in-one by default; SPRING_PROFILES_ACTIVE=worker for a worker).
# Build: mvn -B package -DskipTests && docker build -t medpipe .
FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/medpipe --create-home medpipe \
    && apt-get update && apt-get install -y --no-install-recommends util-linux curl && rm -rf /var/lib/apt/lists/*
WORKDIR /var/lib/medpipe
COPY target/medpipe.jar /opt/medpipe/medpipe.jar
USER medpipe
ENV MEDPIPE_DATA_DIR=/var/lib/medpipe/data
# every role listens on 8080 inside its own container (the worker profile's default, 8081, is for one host)
ENV MEDPIPE_PORT=8080
EXPOSE 8080
# the actuator answers on the management port when one is set (docker-compose.yml sets 8081), else on the server's
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD curl -fsS "http://localhost:${MANAGEMENT_SERVER_PORT:-${MEDPIPE_PORT:-8080}}/actuator/health/readiness" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/medpipe/medpipe.jar"]
