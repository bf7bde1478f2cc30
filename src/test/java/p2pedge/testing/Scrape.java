package p2pedge.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** One scrape of an edge's {@code /metrics}: every sample, keyed by its name and labels as printed. */
public final class Scrape {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, Double> samples;
    private final String text;

    private Scrape(String text) {
        this.text = text;
        this.samples = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
    }

    /** A scrape already fetched (e.g. from an edge in the network lab). */
    public static Scrape parse(String text) {
        return new Scrape(text);
    }

    public static Scrape of(int port) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + response.statusCode());
        }
        return new Scrape(response.body());
    }

    /**
     * The sample of {@code name} whose labels include each of {@code labels} ({@code key="value"}), or NaN; the
     * edge label every sample carries need not be given.
     */
    public double value(String name, String... labels) {
        return samples(name).entrySet().stream()
                .filter(e -> java.util.Arrays.stream(labels).allMatch(e.getKey()::contains))
                .mapToDouble(Map.Entry::getValue).findFirst().orElse(Double.NaN);
    }

    /** Every sample of {@code name} (whatever its labels), keyed by its name and labels as printed. */
    public Map<String, Double> samples(String name) {
        Map<String, Double> out = new LinkedHashMap<>();
        samples.forEach((key, value) -> {
            if (key.equals(name) || key.startsWith(name + "{")) {
                out.put(key, value);
            }
        });
        return out;
    }

    /**
     * The cumulative buckets of {@code name} (a histogram's {@code _bucket} series, or counters tagged {@code le} alike)
     * whose labels include {@code label} ("" for any): each bucket's upper bound ({@code +Inf} as infinity) -> its count.
     */
    public NavigableMap<Double, Double> buckets(String name, String label) {
        NavigableMap<Double, Double> cumulative = new TreeMap<>();
        samples(name).forEach((key, value) -> {
            int at = key.indexOf("le=\"");
            if (at >= 0 && key.contains(label)) {
                String le = key.substring(at + 4, key.indexOf('"', at + 4));
                cumulative.put(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le), value);
            }
        });
        return cumulative;
    }

    /**
     * The upper bound of the first of {@code cumulative}'s buckets that holds {@code q} of all its samples (the last
     * bucket's count, {@code +Inf}'s); NaN when it holds none.
     */
    public static double bucketBound(NavigableMap<Double, Double> cumulative, double q) {
        double all = cumulative.isEmpty() ? 0 : cumulative.lastEntry().getValue();
        if (all <= 0) {
            return Double.NaN;
        }
        return cumulative.entrySet().stream().filter(e -> e.getValue() >= q * all).map(Map.Entry::getKey)
                .findFirst().orElse(Double.NaN);
    }

    /** The samples' names: a query names these (a histogram's {@code _bucket}, {@code _count}, {@code _sum} each). */
    public Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (String key : samples.keySet()) {
            int brace = key.indexOf('{');
            names.add(brace < 0 ? key : key.substring(0, brace));
        }
        return names;
    }

    /** Whether any sample's name starts with {@code prefix}. */
    public boolean has(String prefix) {
        return samples.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    public String text() {
        return text;
    }
}
