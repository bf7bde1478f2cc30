package p2pedge.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The vector selectors of a PromQL expression, read well enough to check a dashboard's queries against what an edge
 * exports. Not a parser (the grammar is Prometheus' business): a metric name is any identifier that is not a
 * function, an aggregation or a keyword, and not a label name (inside {@code {...}}, or the label list after
 * by/without/on/ignoring/group_left/group_right), a number or duration, a string, a range ({@code [...]}), or a
 * Grafana variable ({@code $instance}, {@code ${instance}}, {@code [[instance]]}, {@code $__rate_interval}).
 */
final class PromQlSelectors {

    /** A metric name and its label matchers as written (empty when it has none). */
    record Selector(String metric, String matchers) {
    }

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
            "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    /** Followed by a parenthesised list of label names, not of expressions. */
    private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    /** Compared in lower case: Inf and NaN are numbers whatever their case. */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "atan2", "bool", "offset", "inf", "nan");
    private static final Set<String> FUNCTIONS = Set.of("abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh",
            "atan", "atanh", "avg_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "cos", "cosh",
            "count_over_time", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deg", "delta", "deriv",
            "double_exponential_smoothing", "end", "exp", "floor", "histogram_avg", "histogram_count", "histogram_fraction",
            "histogram_quantile", "histogram_stddev", "histogram_stdvar", "histogram_sum", "holt_winters", "hour", "idelta",
            "increase", "info", "irate", "label_join", "label_replace", "last_over_time", "ln", "log10", "log2",
            "mad_over_time", "max_over_time", "min_over_time", "minute", "month", "pi", "predict_linear",
            "present_over_time", "quantile_over_time", "rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh",
            "sort", "sort_by_label", "sort_by_label_desc", "sort_desc", "sqrt", "start", "stddev_over_time",
            "stdvar_over_time", "sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year");

    private PromQlSelectors() {
    }

    /** The metric names {@code expr} selects. */
    static Set<String> names(String expr) {
        Set<String> names = new TreeSet<>();
        of(expr).forEach(s -> names.add(s.metric()));
        return names;
    }

    /**
     * The selectors of {@code expr}, in order.
     *
     * @throws IllegalArgumentException for a call of something PromQL has no function of (a misspelt {@code rte(}),
     *                                  or a selector without a metric name ({@code {__name__=~"..."}}: unchecked)
     */
    static List<Selector> of(String expr) {
        List<Selector> out = new ArrayList<>();
        int i = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '#') {
                int newline = expr.indexOf('\n', i);
                i = newline < 0 ? expr.length() : newline;
            } else if (c == '"' || c == '\'' || c == '`') {
                i = afterString(expr, i);
            } else if (c == '$') {
                i = afterVariable(expr, i);
            } else if (c == '[') {
                i = afterClosing(expr, i, '[', ']');
            } else if (c == '{') {
                throw new IllegalArgumentException("a selector without a metric name: " + expr);
            } else if (Character.isDigit(c) || c == '.') {
                i = afterNumber(expr, i);
            } else if (identifierStart(c)) {
                int end = afterIdentifier(expr, i);
                String word = expr.substring(i, end);
                int next = skipSpaces(expr, end);
                boolean call = next < expr.length() && expr.charAt(next) == '(';
                if (LABEL_LISTS.contains(word)) {
                    i = call ? afterClosing(expr, next, '(', ')') : end;
                } else if (AGGREGATIONS.contains(word) || KEYWORDS.contains(word.toLowerCase(Locale.ROOT))) {
                    i = end;
                } else if (call) {
                    if (!FUNCTIONS.contains(word)) {
                        throw new IllegalArgumentException("'" + word + "(' is not a PromQL function: " + expr);
                    }
                    i = end;
                } else if (next < expr.length() && expr.charAt(next) == '{') {
                    int close = afterClosing(expr, next, '{', '}');
                    out.add(new Selector(word, expr.substring(next + 1, close - 1).trim()));
                    i = close;
                } else {
                    out.add(new Selector(word, ""));
                    i = end;
                }
            } else {
                i++;
            }
        }
        return out;
    }

    private static boolean identifierStart(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':';
    }

    private static boolean identifierPart(char c) {
        return identifierStart(c) || c >= '0' && c <= '9';
    }

    private static int afterIdentifier(String expr, int i) {
        while (i < expr.length() && identifierPart(expr.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Numbers, durations (5m, 1h30m), hexadecimal: whatever starts with a digit or a dot. */
    private static int afterNumber(String expr, int i) {
        while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.' || expr.charAt(i) == '_')) {
            i++;
        }
        return i;
    }

    private static int skipSpaces(String expr, int i) {
        while (i < expr.length() && Character.isWhitespace(expr.charAt(i))) {
            i++;
        }
        return i;
    }

    /** $name, ${name}, ${name:format}. */
    private static int afterVariable(String expr, int i) {
        if (i + 1 < expr.length() && expr.charAt(i + 1) == '{') {
            return afterClosing(expr, i + 1, '{', '}');
        }
        return afterIdentifier(expr, i + 1);
    }

    private static int afterString(String expr, int i) {
        char quote = expr.charAt(i);
        for (int j = i + 1; j < expr.length(); j++) {
            char c = expr.charAt(j);
            if (c == '\\' && quote != '`') {
                j++;
            } else if (c == quote) {
                return j + 1;
            }
        }
        throw new IllegalArgumentException("a string that does not end: " + expr);
    }

    /** From an opening bracket to just after its closing one, over nested brackets and strings. */
    private static int afterClosing(String expr, int i, char open, char close) {
        int depth = 0;
        while (i < expr.length()) {
            char c = expr.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = afterString(expr, i);
                continue;
            }
            if (c == open) {
                depth++;
            } else if (c == close && --depth == 0) {
                return i + 1;
            }
            i++;
        }
        throw new IllegalArgumentException("'" + open + "' without its '" + close + "': " + expr);
    }
}
