package p2pedge;

import p2pedge.config.EdgeConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The block the edge logs once it is ready: what a person needs to open a player, publish, and operate it (URLs with
 * their real scheme, ports, policies, cluster). Pure: {@link Main} gathers the facts.
 */
final class StartupBlock {

    /**
     * What the running edge knows beyond its configuration.
     *
     * @param metricsPort  -1 when metrics are off
     * @param edges        edges in the cluster now (1 standalone)
     * @param fingerprints SHA-256 of each certificate a TLS port serves, by its file
     */
    record Facts(String edgeId, int signallingPort, int metricsPort, Optional<Path> adminTokenFile, int edges,
                 Map<String, String> fingerprints) {
    }

    private StartupBlock() {
    }

    static String render(EdgeConfig config, Facts facts) {
        EdgeConfig.Signalling s = config.signalling();
        String host = shown(s.host());
        String web = s.tls().scheme(false) + "://" + host + ":" + facts.signallingPort();
        String socket = s.tls().scheme(true) + "://" + host + ":" + facts.signallingPort();
        String stream = config.streams().isEmpty() ? "app/stream" : config.streams().get(0).name();
        List<String[]> rows = new ArrayList<>();
        rows.add(row("player", web + "/?stream=" + stream));
        rows.add(row("signalling", socket + "/<app>/<stream>  (OvenPlayer: webrtc source " + socket + "/" + stream + ")"));
        if (config.whip().enabled()) {
            rows.add(row("publish", web + "/publish.html  (WHIP: POST " + web + "/<app>/<stream>)"));
            rows.add(row("WHEP", web + "/whep.html"));
        }
        rows.add(row("streams", config.streams().isEmpty() ? "none configured (WHIP publishers add theirs)"
                : config.streams().stream().map(StartupBlock::describe).collect(Collectors.joining("; "))));
        rows.add(row("media", media(config)));
        rows.add(row("P2P", p2p(config)));
        rows.add(row("admission", admission(config.admission())));
        rows.add(row("TLS", tls(config, facts)));
        rows.add(row("cluster", cluster(config.cluster(), facts.edges())));
        if (facts.metricsPort() > 0) {
            String ops = config.metrics().tls().scheme(false) + "://" + shown(config.metrics().host()) + ":" + facts.metricsPort();
            rows.add(row("operators", ops + "/metrics  " + ops + "/health  " + ops + "/dashboard/"));
            rows.add(row("admin token", facts.adminTokenFile().map(f -> "in " + f + " (readable by this user only)")
                    .orElse("metrics.adminToken")));
        } else {
            rows.add(row("operators", "off (metrics.enabled false)"));
        }
        StringBuilder out = new StringBuilder("edge " + facts.edgeId() + " ready:\n");
        for (String[] r : rows) {
            out.append(String.format("  %-12s %s%n", r[0], r[1]));
        }
        return out.toString().stripTrailing();
    }

    private static String[] row(String name, String value) {
        return new String[]{name, value};
    }

    private static String shown(String host) {
        return host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host.contains(":") ? "[" + host + "]" : host;
    }

    private static String describe(EdgeConfig.StreamSpec spec) {
        return spec.name() + " (" + spec.source() + (spec.source().equals("demo") ? ", " + spec.codec().name().toLowerCase()
                + " " + spec.width() + "x" + spec.height() + " " + spec.bitrateKbps() + " kbit/s, " + spec.layers() + " layer(s)" : "")
                + ")";
    }

    private static String media(EdgeConfig config) {
        EdgeConfig.Media m = config.media();
        String announced = m.iceCandidateAddresses().isEmpty() ? "this machine's interfaces (set media.iceCandidateAddresses "
                + "to the address players reach)" : String.join(", ", m.iceCandidateAddresses());
        if (m.plane() == EdgeConfig.Plane.WEBRTC) {
            return "per-viewer webrtc plane, UDP " + m.webrtc().udpPortMin() + "-" + m.webrtc().udpPortMax() + ", announcing "
                    + announced + ", at most " + m.maxViewers() + " viewers";
        }
        EdgeConfig.Forwarder f = m.forwarder();
        return "forwarder on UDP " + f.port() + (f.tcp().enabled() ? " (+ ICE-TCP " + f.port() + ")" : "")
                + (f.stun().enabled() ? ", STUN UDP " + f.stun().port() : "") + ", announcing " + announced
                + ", at most " + m.maxViewers() + " viewers";
    }

    private static String p2p(EdgeConfig config) {
        EdgeConfig.P2p p = config.p2p();
        if (!p.enabled()) {
            return "off: the edge serves every player";
        }
        return "on, policy " + p.policy().name().toLowerCase() + ", up to " + p.maxClientPeersPerHostPeer()
                + " clients per host, pairing " + p.pairing().name().toLowerCase() + ", players' consent by default: "
                + config.admission().defaultP2p().name().toLowerCase();
    }

    private static String admission(EdgeConfig.Admission a) {
        return a.enabled() ? "signed tokens required (" + a.jwtKeys().size() + " key(s): "
                + a.jwtKeys().stream().map(EdgeConfig.JwtKey::algorithm).collect(Collectors.joining(", ")) + ")"
                : "off: any page may play (admission.enabled)";
    }

    private static String tls(EdgeConfig config, Facts facts) {
        // Ports that share a certificate are named together: one file, one fingerprint to compare.
        Map<String, List<String>> portsByCert = new LinkedHashMap<>();
        Map<String, EdgeConfig.Tls> tlsByCert = new LinkedHashMap<>();
        config.httpTls().forEach((port, tls) -> {
            if (tls.enabled()) {
                portsByCert.computeIfAbsent(tls.certPath(), k -> new ArrayList<>()).add(port);
                tlsByCert.putIfAbsent(tls.certPath(), tls);
            }
        });
        if (portsByCert.isEmpty()) {
            return "off (signalling.tls, metrics.tls): put a TLS proxy in front on the internet";
        }
        return portsByCert.entrySet().stream().map(e -> String.join(" and ", e.getValue()) + ": "
                        + (tlsByCert.get(e.getKey()).selfSigned() ? "self-signed " : "") + e.getKey()
                        + Optional.ofNullable(facts.fingerprints().get(e.getKey())).map(f -> " (SHA-256 " + f + ")").orElse(""))
                .collect(Collectors.joining("; "));
    }

    private static String cluster(EdgeConfig.Cluster c, int edges) {
        if (!c.enabled()) {
            return "standalone";
        }
        String discovery = switch (c.discovery()) {
            case TCP_IP -> "members " + c.members();
            case KUBERNETES -> "Kubernetes discovery " + (c.kubernetes().serviceDns().isBlank()
                    ? c.kubernetes().namespace() + "/" + c.kubernetes().serviceName() : c.kubernetes().serviceDns());
        };
        return "'" + c.name() + "', " + edges + " edge(s) now, member port " + c.host() + ":" + c.port()
                + " (never public), " + discovery + ", event bus " + (c.eventBusTls().enabled() ? "mutual TLS" : "plain (cluster.eventBusTls)");
    }
}
