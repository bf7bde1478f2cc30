package p2pedge.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Locale;
import java.util.Map;

/**
 * Applies per-key overrides to a configuration tree: every key {@code a.b.c} can be replaced by the system
 * property {@code a.b.c} or the environment variable {@code A_B_C}; the system property wins. Object- and
 * array-valued keys take JSON (an array of plain strings also a comma-separated list) and are replaced whole.
 * Only keys that exist in the tree are overridable, so a typo in an override never goes unnoticed silently:
 * the value is coerced to the type the key already has and a bad value fails loudly.
 */
public final class ConfigOverrides {

    private ConfigOverrides() {
    }

    public static JsonObject apply(JsonObject config, Map<String, String> systemProperties, Map<String, String> environment) {
        JsonObject result = config.copy();
        applyTo(result, "", systemProperties, environment);
        return result;
    }

    public static String environmentName(String dottedKey) {
        return dottedKey.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static void applyTo(JsonObject node, String prefix, Map<String, String> sys, Map<String, String> env) {
        for (String key : node.fieldNames().toArray(String[]::new)) {
            String path = prefix + key;
            Object current = node.getValue(key);
            String raw = sys.get(path);
            if (raw == null) {
                raw = env.get(environmentName(path));
            }
            if (raw != null) {
                current = coerce(path, current, raw.trim());
                node.put(key, current);
            }
            // An object (a section, or a map such as whip.tokens) is replaced as a whole by JSON, then its own
            // keys can still be overridden one by one.
            if (current instanceof JsonObject child) {
                applyTo(child, path + ".", sys, env);
            }
        }
    }

    private static Object coerce(String path, Object current, String raw) {
        try {
            if (current instanceof Integer || current instanceof Long) {
                return Long.parseLong(raw);
            }
            if (current instanceof Number) {
                return Double.parseDouble(raw);
            }
            if (current instanceof Boolean) {
                if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
                    throw new IllegalArgumentException("expected true or false");
                }
                return Boolean.parseBoolean(raw);
            }
            if (current instanceof JsonObject) {
                if (!raw.startsWith("{")) {
                    throw new IllegalArgumentException("expected a JSON object, e.g. {\"key\":\"value\"}");
                }
                return new JsonObject(raw);
            }
            if (current instanceof JsonArray) {
                // JSON for structured lists, a comma-separated list for plain strings.
                if (raw.startsWith("[")) {
                    return new JsonArray(raw);
                }
                if (raw.startsWith("{")) {
                    throw new IllegalArgumentException("expected a JSON array or a comma-separated list, got an object");
                }
                JsonArray list = new JsonArray();
                for (String item : raw.split(",")) {
                    if (!item.isBlank()) {
                        list.add(item.trim());
                    }
                }
                return list;
            }
            return raw;
        } catch (IllegalArgumentException | DecodeException e) {
            throw new IllegalArgumentException("bad override for config key '" + path + "' (" + raw + "): " + e.getMessage(), e);
        }
    }
}
