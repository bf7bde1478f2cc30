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
 * Loads the edge configuration: the defaults built into the jar (a copy of {@code conf/edge.json}), then the
 * operator's file ({@code -Dconfig.file}, {@code CONFIG_FILE}, or {@code conf/edge.json} when present), then
 * per-key system property and environment overrides.
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
        ConfigRetrieverOptions options = new ConfigRetrieverOptions()
                .setScanPeriod(0)
                .setIncludeDefaultStores(false)
                .addStore(jsonFile(DEFAULTS_RESOURCE, false));
        if (file != null) {
            options.addStore(jsonFile(file.toString(), false));
        }
        ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
        return retriever.getConfig()
                .andThen(ar -> retriever.close())
                .map(json -> {
                    JsonObject merged = json.mergeIn(extra, true);
                    Map<String, String> sys = new HashMap<>();
                    System.getProperties().forEach((k, v) -> sys.put(k.toString(), v.toString()));
                    EdgeConfig.refuseMovedOverrides(sys, System.getenv());
                    return EdgeConfig.from(ConfigOverrides.apply(merged, sys, System.getenv()));
                });
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
