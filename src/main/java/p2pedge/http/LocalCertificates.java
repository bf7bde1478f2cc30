package p2pedge.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import p2pedge.config.EdgeConfig;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/** Makes the self-signed certificates that ports with {@code tls.selfSigned} ask for, before any server starts. */
public final class LocalCertificates {

    private static final Logger LOG = Logger.getLogger(LocalCertificates.class.getName());

    private LocalCertificates() {
    }

    /** The names a made certificate is for: localhost, loopback, and the addresses the edge is configured with. */
    static List<String> names(EdgeConfig config) {
        List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
        Stream.concat(Stream.of(config.signalling().host(), config.metrics().host()),
                        config.media().iceCandidateAddresses().stream())
                .filter(h -> !h.isBlank() && !h.equals("0.0.0.0") && !h.equals("::") && !names.contains(h))
                .forEach(names::add);
        return names;
    }

    /** Runs on a worker thread (file and key work); fails with the file named when it cannot be written. */
    public static Future<Void> prepare(Vertx vertx, EdgeConfig config) {
        Map<String, EdgeConfig.Tls> wanted = new LinkedHashMap<>();
        for (EdgeConfig.Tls tls : config.httpTls().values()) {
            if (tls.enabled() && tls.selfSigned()) {
                wanted.putIfAbsent(tls.certPath(), tls);
            }
        }
        if (wanted.isEmpty()) {
            return Future.succeededFuture();
        }
        List<String> names = names(config);
        return vertx.executeBlocking(() -> {
            for (EdgeConfig.Tls tls : wanted.values()) {
                Path cert = Path.of(tls.certPath());
                try {
                    if (SelfSignedCertificate.ensure(cert, Path.of(tls.keyPath()), names, Clock.systemUTC())) {
                        LOG.info(() -> "made a self-signed certificate for " + String.join(", ", names) + " in " + cert.toAbsolutePath()
                                + " (local use only: browsers warn until told to trust it)");
                    }
                } catch (java.io.IOException e) {
                    throw new IllegalStateException("cannot make the self-signed certificate " + cert.toAbsolutePath() + ": "
                            + e.getMessage(), e);
                }
            }
            return null;
        }, false);
    }
}
