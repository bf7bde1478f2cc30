package p2pedge.signalling;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads {@code app/stream} out of a signalling URL path such as {@code /app/stream?transport=tcp}. */
final class StreamPath {

    private static final Pattern PATH = Pattern.compile("/([A-Za-z0-9._~-]{1,64})/([A-Za-z0-9._~-]{1,128})/?");

    private StreamPath() {
    }

    static Optional<String> parse(String path) {
        if (path == null) {
            return Optional.empty();
        }
        int query = path.indexOf('?');
        Matcher m = PATH.matcher(query < 0 ? path : path.substring(0, query));
        return m.matches() ? Optional.of(m.group(1) + "/" + m.group(2)) : Optional.empty();
    }
}
