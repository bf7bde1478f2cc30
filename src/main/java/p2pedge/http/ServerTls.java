package p2pedge.http;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import p2pedge.config.EdgeConfig;

import java.util.concurrent.TimeUnit;

/** Puts one port's {@code tls} section on its server options: HTTPS and WSS only, from PEM files. */
public final class ServerTls {

    private ServerTls() {
    }

    /**
     * @param handshakeTimeoutSeconds a connection must finish its TLS handshake within this (the HTTP header timeout
     *                                only starts once it has: a client that opens TCP and stays silent is cut here)
     */
    static HttpServerOptions apply(HttpServerOptions options, EdgeConfig.Tls tls, int handshakeTimeoutSeconds) {
        if (!tls.enabled()) {
            return options;
        }
        return options.setSsl(true)
                .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
                .setSslHandshakeTimeout(handshakeTimeoutSeconds)
                .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    }
}
