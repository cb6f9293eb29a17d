# medpipe's production image: one image, every role (README, Roles). The role is chosen by SPRING_PROFILES_ACTIVE:
# unset = engine node (all-in-one), worker, api; on GKE gcp, gcp,worker, gcp,api (deploy/).
# Build the production jar first, without the embedded PostgreSQL binaries (it needs MEDPIPE_DB_URL):
#   mvn -B -Pproduction package -DskipTests && docker build -t medpipe .

# Spring Boot's layers, from least to most often changed: dependencies, the loader, snapshot dependencies, medpipe
# itself. A code change rebuilds and pushes only the last layer.
FROM eclipse-temurin:17-jre AS layers
WORKDIR /build
COPY target/medpipe.jar medpipe.jar
RUN java -Djarmode=tools -jar medpipe.jar extract --layers --launcher --destination extracted

FROM eclipse-temurin:17-jre
# curl for the health check, libgomp1 for XGBoost's native library; the medpipe user (uid 10001) owns nothing
# but its data directory
RUN apt-get update && apt-get install -y --no-install-recommends curl libgomp1 && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /var/lib/medpipe --create-home medpipe
WORKDIR /opt/medpipe
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# numeric, so that Kubernetes' runAsNonRoot can check it
USER 10001:10001
# the software bill of materials travels inside the image: META-INF/sbom/application.cdx.json
LABEL org.opencontainers.image.title="medpipe" \
      org.opencontainers.image.licenses="GPL-3.0-or-later" \
      io.medpipe.sbom="/opt/medpipe/META-INF/sbom/application.cdx.json"
ENV MEDPIPE_DATA_DIR=/var/lib/medpipe/data \
    MEDPIPE_PORT=8080 \
    MEDPIPE_MANAGEMENT_PORT=8081 \
    OMP_WAIT_POLICY=PASSIVE \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# 8080: the application (API, web apps, /livez, /readyz); 8081, the actuator, stays inside (docker-compose.yml
# lets Prometheus reach it on the compose network, deploy/base/networkpolicy.yaml only the GKE collectors)
EXPOSE 8080
# the readiness probe is on the main port too (/readyz), whatever the management address
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD curl -fsS "http://127.0.0.1:${MEDPIPE_PORT:-8080}/readyz" || exit 1
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
