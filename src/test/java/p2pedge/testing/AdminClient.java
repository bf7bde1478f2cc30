package p2pedge.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Calls to an edge's operators' port (admin API, health), with a bearer token when one is given. */
public final class AdminClient {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminClient() {
    }

    /** {@code method} on {@code http://127.0.0.1:port + path}, with {@code Authorization: Bearer token} unless it is null. */
    public static HttpResponse<String> call(int port, String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
