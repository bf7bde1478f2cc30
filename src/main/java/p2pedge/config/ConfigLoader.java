package p2pedge.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads the edge configuration with vertx-config: the defaults built into the jar (a copy of {@code conf/edge.json}),
 * then the operator's file ({@code -Dconfig.file}, {@code CONFIG_FILE}, or {@code conf/edge.json} when present), then
 * per-key overrides from system properties and the environment ({@link ConfigOverrides}; the property wins).
 */
public final class ConfigLoader {

    static final String DEFAULTS_RESOURCE = "p2pedge/config/edge.json";
    static final String DEFAULT_FILE = "conf/edge.json";

    private ConfigLoader() {
    }

    public static Future<EdgeConfig> load(Vertx vertx) {
        return load(vertx, operatorFile(), new JsonObject());
    }

    /** Loads with an extra object merged over the files (tests use it instead of touching global properties). */
    public static Future<EdgeConfig> load(Vertx vertx, Path file, JsonObject extra) {
        ConfigRetrieverOptions files = new ConfigRetrieverOptions()
                .setScanPeriod(0)
                .setIncludeDefaultStores(false)
                .addStore(jsonFile(DEFAULTS_RESOURCE, false));
        if (file != null) {
            files.addStore(jsonFile(file.toString(), false));
        }
        // System properties and the environment come flat (a.b.c, A_B_C) and as strings: ConfigOverrides maps each
        // onto the key it names, in the key's type, so they are read raw rather than merged into the tree.
        return Future.all(retrieve(vertx, files), retrieve(vertx, flat("sys")), retrieve(vertx, flat("env")))
                .map(all -> {
                    JsonObject merged = all.<JsonObject>resultAt(0).mergeIn(extra, true);
                    Map<String, String> sys = strings(all.resultAt(1));
                    Map<String, String> env = strings(all.resultAt(2));
                    EdgeConfig.refuseMovedOverrides(sys, env);
                    return EdgeConfig.from(ConfigOverrides.apply(merged, sys, env));
                });
    }

    private static Future<JsonObject> retrieve(Vertx vertx, ConfigRetrieverOptions options) {
        ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
        return retriever.getConfig().andThen(ar -> retriever.close());
    }

    /** vertx-config's store of system properties ({@code sys}) or environment variables ({@code env}), as strings. */
    private static ConfigRetrieverOptions flat(String type) {
        return new ConfigRetrieverOptions().setScanPeriod(0).setIncludeDefaultStores(false)
                .addStore(new ConfigStoreOptions().setType(type)
                        .setConfig(new JsonObject().put("raw-data", true).put("cache", false)));
    }

    private static Map<String, String> strings(JsonObject flat) {
        Map<String, String> out = new HashMap<>();
        flat.forEach(entry -> out.put(entry.getKey(), String.valueOf(entry.getValue())));
        return out;
    }

    private static Path operatorFile() {
        String configured = System.getProperty("config.file", System.getenv("CONFIG_FILE"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path conventional = Path.of(DEFAULT_FILE);
        return Files.exists(conventional) ? conventional : null;
    }

    private static ConfigStoreOptions jsonFile(String path, boolean optional) {
        return new ConfigStoreOptions().setType("file").setFormat("json").setOptional(optional)
                .setConfig(new JsonObject().put("path", path));
    }
}
