package p2pedge.ops;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Grafana dashboard's JSON as the checks read it: its panels (those a collapsed row nests too), the PromQL of
 * every panel's targets and of every query variable, and the metric names that PromQL selects.
 */
final class GrafanaDashboard {

    /** One PromQL query and where the dashboard makes it (for messages). */
    record Query(String where, String expr) {
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\s*\\((.*),\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)", Pattern.DOTALL);
    private static final Pattern LABEL_VALUES_ANY = Pattern.compile("label_values\\s*\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)");
    private static final Pattern QUERY_RESULT = Pattern.compile("query_result\\s*\\((.*)\\)", Pattern.DOTALL);

    private final JsonObject json;

    GrafanaDashboard(JsonObject json) {
        this.json = json;
    }

    static GrafanaDashboard read(Path file) throws IOException {
        return new GrafanaDashboard(new JsonObject(Files.readString(file)));
    }

    JsonObject json() {
        return json;
    }

    /** Every panel: rows, the panels after an open row, and the panels a collapsed row holds. */
    List<JsonObject> panels() {
        List<JsonObject> out = new ArrayList<>();
        addPanels(json.getJsonArray("panels", new JsonArray()), out);
        return out;
    }

    private static void addPanels(JsonArray panels, List<JsonObject> out) {
        for (Object p : panels) {
            JsonObject panel = (JsonObject) p;
            out.add(panel);
            addPanels(panel.getJsonArray("panels", new JsonArray()), out);
        }
    }

    List<JsonObject> variables() {
        List<JsonObject> out = new ArrayList<>();
        json.getJsonObject("templating", new JsonObject()).getJsonArray("list", new JsonArray())
                .forEach(v -> out.add((JsonObject) v));
        return out;
    }

    /** The PromQL of every panel target. */
    List<Query> panelQueries() {
        List<Query> out = new ArrayList<>();
        for (JsonObject panel : panels()) {
            for (Object t : panel.getJsonArray("targets", new JsonArray())) {
                JsonObject target = (JsonObject) t;
                String where = "panel " + panel.getValue("id") + " \"" + panel.getString("title", "") + "\" "
                        + target.getString("refId", "?");
                out.add(new Query(where, target.getString("expr", "")));
            }
        }
        return out;
    }

    /**
     * The PromQL of every query variable: {@code label_values(selector, label)} selects {@code selector},
     * {@code query_result(expr)} {@code expr}; {@code label_values(label)} selects no metric.
     */
    List<Query> variableQueries() {
        List<Query> out = new ArrayList<>();
        for (JsonObject variable : variables()) {
            if (!"query".equals(variable.getString("type"))) {
                continue;
            }
            Object query = variable.getValue("query");
            String text = query instanceof JsonObject object ? object.getString("query", "") : String.valueOf(query);
            out.add(new Query("variable " + variable.getString("name"), promQl(text.trim())));
        }
        return out;
    }

    private static String promQl(String variableQuery) {
        Matcher m;
        if (LABEL_VALUES_ANY.matcher(variableQuery).matches()) {
            return "";
        } else if ((m = LABEL_VALUES.matcher(variableQuery)).matches() || (m = QUERY_RESULT.matcher(variableQuery)).matches()) {
            return m.group(1);
        }
        // metrics(regex), label_names(), or none of Grafana's: it names no metric the check can see. Its own words make
        // the check fail (a call PromQL has no function of).
        return variableQuery;
    }

    List<Query> queries() {
        List<Query> out = new ArrayList<>(panelQueries());
        out.addAll(variableQueries());
        return out;
    }

    /** Every metric name the queries select. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        for (Query query : queries()) {
            try {
                names.addAll(PromQlSelectors.names(query.expr()));
            } catch (IllegalArgumentException e) {
                // unknownNames reports it
            }
        }
        return names;
    }

    /**
     * Each metric name a query selects that {@code exported} (the sample names of a scrape) lacks, with where it is
     * selected, and each query the names cannot be read from; empty when every query selects exported metrics.
     */
    List<String> unknownNames(Set<String> exported) {
        List<String> problems = new ArrayList<>();
        for (Query query : queries()) {
            try {
                for (String name : PromQlSelectors.names(query.expr())) {
                    if (!exported.contains(name)) {
                        problems.add(name + hint(name, exported) + " in " + query.where());
                    }
                }
            } catch (IllegalArgumentException e) {
                problems.add(query.where() + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** What the name probably meant: a histogram is queried by its series, a counter's name ends in _total. */
    private static String hint(String name, Set<String> exported) {
        if (exported.contains(name + "_bucket")) {
            return " (a histogram: its series are " + name + "_bucket, _count and _sum)";
        }
        if (exported.contains(name + "_total")) {
            return " (a counter: " + name + "_total)";
        }
        return "";
    }
}
