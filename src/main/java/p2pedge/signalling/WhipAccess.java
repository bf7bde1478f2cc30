package p2pedge.signalling;

import p2pedge.config.EdgeConfig;
import p2pedge.http.BearerToken;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may publish (and end a publication) with WHIP, per app: an app with a token admits the bearer of that token;
 * an app the operator opened ({@code whip.openApps}) admits anyone; every other app admits nobody. Closed unless
 * configured, so an edge put on the internet with the shipped defaults cannot be used to publish.
 */
final class WhipAccess {

    /** A refusal: the HTTP status and the reason sent as the body. */
    record Refusal(int status, String reason) {
    }

    private final Map<String, BearerToken> tokens;
    private final Set<String> openApps;

    WhipAccess(EdgeConfig.Whip config) {
        this.tokens = config.tokens().entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, e -> new BearerToken(e.getValue())));
        this.openApps = Set.copyOf(config.openApps());
    }

    /** Empty when the request (its {@code Authorization} header, null when absent) may publish to {@code app}. */
    Optional<Refusal> check(String app, String authorization) {
        BearerToken token = tokens.get(app);
        if (token != null) {
            if (token.admits(authorization)) {
                return Optional.empty();
            }
            return Optional.of(new Refusal(401, authorization == null ? "app '" + app + "' needs a bearer token"
                    : "wrong bearer token for app '" + app + "'"));
        }
        if (openApps.contains(app) || openApps.contains("*")) {
            return Optional.empty();
        }
        return Optional.of(new Refusal(403, "publishing to app '" + app + "' is not allowed on this edge: its operator "
                + "gives the app a token (whip.tokens) or opens it to anyone (whip.openApps)"));
    }
}
