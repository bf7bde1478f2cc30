# syntax=docker/dockerfile:1
# Build: docker build -t p2p-edge .
# Run:   docker run -p 3333:3333 -p 9333:9333 -p 41000:41000/udp -p 41000:41000/tcp -p 3478:3478/udp -e MEDIA_ICECANDIDATEADDRESSES=<address players reach> p2p-edge
# (the forwarding media plane uses one UDP port, media.forwarder.port; the per-viewer webrtc plane needs the
#  range media.webrtc.udpPortMin..udpPortMax, simplest with --network host.)
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY conf conf
COPY src/main src/main
RUN mvn -B -ntp -q package -DskipTests

FROM debian:bookworm-slim
# openjdk for the edge; the rest are the shared libraries libwebrtc (webrtc-java's native part) links against.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless curl \
      libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libdbus-1-3 libudev1 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 edge \
 && useradd --system --uid 10001 --gid edge --home /opt/p2p-edge --shell /usr/sbin/nologin edge
WORKDIR /opt/p2p-edge
COPY --from=build /src/target/p2p-edge.jar p2p-edge.jar
COPY conf conf
COPY cluster.xml cluster.xml
# The edge's own state (the admin token it makes when METRICS_ADMINTOKEN is unset), writable by it alone.
RUN mkdir -m 700 data && chown edge data
# By number: Kubernetes' runAsNonRoot can only check a numeric user (deploy/kubernetes runs it as 10001).
USER 10001:10001
# glibc keeps at most 2 malloc arenas instead of up to 8 per core: bounded native memory (see README, "Native memory").
ENV MALLOC_ARENA_MAX=2
EXPOSE 3333/tcp 9333/tcp 5701/tcp 40000-40999/udp 41000/udp 41000/tcp 3478/udp
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD curl -fsS http://127.0.0.1:9333/health >/dev/null || exit 1
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "@conf/jvm.options", "-jar", "p2p-edge.jar"]
