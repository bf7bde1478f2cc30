package p2pedge.deploy;

import com.hazelcast.config.Config;
import com.hazelcast.config.KubernetesConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import p2pedge.cluster.EdgeCluster;
import p2pedge.config.ConfigOverrides;
import p2pedge.config.EdgeConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The manifests under deploy/kubernetes, read as kubectl would read them (CI has no Kubernetes cluster to apply them
 * to): the objects N edges need, in one namespace; ports equal to conf/edge.json's defaults, so a changed default
 * fails here until the manifests follow; probes and a preStop hook that fit the edge's drain; env variables that
 * each name a config key; and that env, applied to the defaults as the edge applies it, joins by Kubernetes DNS.
 */
class KubernetesManifestsTest {

    private static final Path DIR = Path.of("deploy/kubernetes");
    /** Main's shutdown hook waits up to 15 s for the edge to stop and 15 s for Vert.x to close. */
    private static final int EDGE_STOP_SECONDS = 30;

    private static JsonObject defaults;
    private static List<JsonObject> objects;

    @BeforeAll
    static void read() throws IOException {
        defaults = new JsonObject(Files.readString(Path.of("conf/edge.json")));
        objects = new ArrayList<>();
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        try (Stream<Path> walk = Files.walk(DIR)) {
            for (Path file : walk.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                for (Object document : yaml.loadAll(Files.readString(file))) {
                    if (document == null) {
                        continue;
                    }
                    if (!(document instanceof Map<?, ?> map)) {
                        throw new AssertionError(file + ": a document that is not an object: " + document);
                    }
                    @SuppressWarnings("unchecked")
                    JsonObject object = new JsonObject((Map<String, Object>) map);
                    objects.add(object);
                }
            }
        }
    }

    @Test
    void everyObjectTheEdgesNeedIsThereInOneNamespace() {
        assertEquals(Set.of("Namespace", "Service", "StatefulSet", "Secret"),
                Set.copyOf(objects.stream().map(o -> o.getString("kind")).toList()));
        assertEquals(2, ofKind("Service").size(), "one for Hazelcast discovery, one for players");
        String namespace = namespace();
        for (JsonObject object : objects) {
            if (!object.getString("kind").equals("Namespace")) {
                assertEquals(namespace, object.getJsonObject("metadata").getString("namespace"),
                        object.getString("kind") + " " + name(object));
            }
        }
        // DNS discovery reads no Kubernetes API: no RBAC, and no API token in the pod.
        assertEquals(false, podSpec().getBoolean("automountServiceAccountToken"));
    }

    @Test
    void oneEdgePerNodeOnTheNodesNetworkAsANonRootUser() throws IOException {
        JsonObject spec = one("StatefulSet").getJsonObject("spec");
        assertEquals(3, spec.getInteger("replicas"));
        assertSubset(spec.getJsonObject("selector").getJsonObject("matchLabels"), podLabels(), "StatefulSet selector");
        assertEquals(true, podSpec().getBoolean("hostNetwork"), "players send media to the node's UDP port");
        assertEquals("ClusterFirstWithHostNet", podSpec().getString("dnsPolicy"), "the join resolves the cluster's DNS");

        JsonArray required = podSpec().getJsonObject("affinity").getJsonObject("podAntiAffinity")
                .getJsonArray("requiredDuringSchedulingIgnoredDuringExecution");
        assertEquals(1, required.size());
        JsonObject term = required.getJsonObject(0);
        assertEquals("kubernetes.io/hostname", term.getString("topologyKey"), "two edges would want one node's ports");
        assertSubset(term.getJsonObject("labelSelector").getJsonObject("matchLabels"), podLabels(), "anti-affinity");

        JsonObject security = podSpec().getJsonObject("securityContext");
        assertEquals(true, security.getBoolean("runAsNonRoot"));
        // runAsNonRoot can only check a numeric user: the image's.
        Matcher user = Pattern.compile("(?m)^USER (\\d+)").matcher(Files.readString(Path.of("Dockerfile")));
        assertTrue(user.find(), "the Dockerfile's USER is a number");
        assertEquals(Integer.parseInt(user.group(1)), security.getInteger("runAsUser"));
        assertEquals(false, edge().getJsonObject("securityContext").getBoolean("allowPrivilegeEscalation"));
        JsonObject resources = edge().getJsonObject("resources");
        assertNotNull(resources.getJsonObject("requests"));
        assertNotNull(resources.getJsonObject("limits").getString("memory"));
    }

    @Test
    void portsAreTheConfigDefaults() {
        Set<String> declared = new HashSet<>();
        for (Object p : edge().getJsonArray("ports")) {
            JsonObject port = (JsonObject) p;
            assertTrue(declared.add(port.getInteger("containerPort") + "/" + port.getString("protocol", "TCP")), port.encode());
        }
        int media = defaultInt("media.forwarder.port");
        assertEquals(Set.of(defaultInt("signalling.port") + "/TCP", defaultInt("metrics.port") + "/TCP",
                media + "/UDP", media + "/TCP", defaultInt("media.forwarder.stun.port") + "/UDP",
                defaultInt("cluster.port") + "/TCP"), declared);

        JsonObject hazelcast = headlessService().getJsonObject("spec");
        assertEquals(true, hazelcast.getBoolean("publishNotReadyAddresses"), "a draining edge is still a member");
        assertServes(hazelcast, defaultInt("cluster.port"));
        List<JsonObject> players = ofKind("Service").stream().filter(s -> s != headlessService()).toList();
        assertEquals(1, players.size());
        JsonObject player = players.get(0).getJsonObject("spec");
        assertServes(player, defaultInt("signalling.port"));
        assertEquals("Local", player.getString("externalTrafficPolicy"), "players' own addresses reach the edge");
    }

    @Test
    void readinessFollowsHealthAndLivenessDoesNot() {
        JsonObject readiness = edge().getJsonObject("readinessProbe").getJsonObject("httpGet");
        assertNotNull(readiness, "readiness asks /health over HTTP");
        assertEquals("/health", readiness.getString("path"));
        assertEquals(defaultInt("metrics.port"), containerPort(readiness.getValue("port")));
        // /health answers 503 while draining: a liveness probe on it would restart a draining edge.
        JsonObject liveness = edge().getJsonObject("livenessProbe");
        assertNotNull(liveness);
        JsonObject livenessGet = liveness.getJsonObject("httpGet");
        if (livenessGet != null) {
            assertNotEquals("/health", livenessGet.getString("path"), "liveness must not fail while draining");
        } else {
            assertEquals(defaultInt("metrics.port"), containerPort(liveness.getJsonObject("tcpSocket").getValue("port")));
        }
    }

    @Test
    void preStopDrainsWithTheAdminTokenThenWaitsWithinTheGracePeriod() {
        JsonArray exec = edge().getJsonObject("lifecycle").getJsonObject("preStop").getJsonObject("exec").getJsonArray("command");
        String command = String.join(" ", exec.stream().map(String::valueOf).toList());
        assertTrue(command.contains("-X POST"), command);
        assertTrue(command.contains(":" + defaultInt("metrics.port") + "/admin/drain"), command);
        assertTrue(command.contains("Authorization: Bearer $METRICS_ADMINTOKEN"), command);

        JsonObject token = env().get("METRICS_ADMINTOKEN");
        assertNotNull(token, "the hook's token is the edge's own");
        JsonObject ref = token.getJsonObject("valueFrom").getJsonObject("secretKeyRef");
        assertNotNull(ref, "from a Secret");
        assertNotNull(secretValue(ref), "the Secret " + ref.getString("name") + " with key " + ref.getString("key")
                + " is in the manifests (a placeholder the operator replaces)");

        Matcher sleep = Pattern.compile("sleep (\\d+)").matcher(command);
        assertTrue(sleep.find(), command);
        int slept = Integer.parseInt(sleep.group(1));
        assertTrue(slept >= 5, "players need a few seconds to be placed elsewhere");
        // The grace period counts from the hook's start: the sleep and then the edge's own stop must fit.
        int grace = podSpec().getInteger("terminationGracePeriodSeconds");
        assertTrue(grace > slept + EDGE_STOP_SECONDS, "terminationGracePeriodSeconds " + grace + " <= sleep " + slept
                + " + " + EDGE_STOP_SECONDS);
    }

    @Test
    void everyVariableNamesAConfigKeyAndTheJoinIsTheHeadlessServicesDns() {
        Set<String> known = new HashSet<>();
        environmentNames(defaults, "", known);
        for (Map.Entry<String, JsonObject> variable : env().entrySet()) {
            assertTrue(known.contains(variable.getKey()), variable.getKey() + " overrides no key of conf/edge.json");
            Object value = variable.getValue().getValue("value");
            assertTrue(value instanceof String || variable.getValue().containsKey("valueFrom"),
                    variable.getKey() + ": a value must be a string (quote true and numbers)");
        }
        assertEquals("true", env().get("CLUSTER_ENABLED").getString("value"));
        assertEquals("kubernetes", env().get("CLUSTER_DISCOVERY").getString("value"));
        String headless = name(headlessService());
        assertEquals(headless + "." + namespace() + ".svc.cluster.local",
                env().get("CLUSTER_KUBERNETES_SERVICEDNS").getString("value"));
        assertEquals(headless, one("StatefulSet").getJsonObject("spec").getString("serviceName"));
        assertEquals("status.podIP", fieldRef("CLUSTER_HOST"), "Hazelcast binds and announces the pod's address");
        assertEquals("status.hostIP", fieldRef("MEDIA_ICECANDIDATEADDRESSES"));
    }

    @Test
    void theEnvJoinsByKubernetesDnsWhenAppliedToTheDefaults() throws Exception {
        String podIp = "10.0.0.7";
        Map<String, String> environment = new HashMap<>();
        env().forEach((name, variable) -> {
            JsonObject from = variable.getJsonObject("valueFrom");
            if (from == null) {
                environment.put(name, variable.getString("value"));
            } else if (from.containsKey("fieldRef")) {
                // With hostNetwork the pod's IP is the node's.
                environment.put(name, podIp);
            } else {
                environment.put(name, secretValue(from.getJsonObject("secretKeyRef")));
            }
        });
        EdgeConfig config = EdgeConfig.from(ConfigOverrides.apply(defaults, Map.of(), environment));
        assertEquals(List.of(podIp), config.media().iceCandidateAddresses());
        assertFalse(config.metrics().adminToken().isEmpty());

        Config hazelcast = EdgeCluster.hazelcastConfig(config.cluster());
        assertFalse(hazelcast.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
        KubernetesConfig kubernetes = hazelcast.getNetworkConfig().getJoin().getKubernetesConfig();
        assertTrue(kubernetes.isEnabled());
        assertEquals(env().get("CLUSTER_KUBERNETES_SERVICEDNS").getString("value"), kubernetes.getProperty("service-dns"));
        assertEquals(String.valueOf(defaultInt("cluster.port")), kubernetes.getProperty("service-port"));
        assertEquals(List.of(podIp), List.copyOf(hazelcast.getNetworkConfig().getInterfaces().getInterfaces()));
    }

    private static List<JsonObject> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.getString("kind"))).toList();
    }

    private static JsonObject one(String kind) {
        List<JsonObject> all = ofKind(kind);
        assertEquals(1, all.size(), "one " + kind);
        return all.get(0);
    }

    private static String name(JsonObject object) {
        return object.getJsonObject("metadata").getString("name");
    }

    private static String namespace() {
        return name(one("Namespace"));
    }

    /** The headless Service Hazelcast's DNS lookup resolves: it must select the edge pods. */
    private static JsonObject headlessService() {
        List<JsonObject> headless = ofKind("Service").stream()
                .filter(s -> "None".equals(s.getJsonObject("spec").getString("clusterIP"))).toList();
        assertEquals(1, headless.size(), "one headless Service");
        return headless.get(0);
    }

    private static JsonObject podTemplate() {
        return one("StatefulSet").getJsonObject("spec").getJsonObject("template");
    }

    private static JsonObject podLabels() {
        return podTemplate().getJsonObject("metadata").getJsonObject("labels");
    }

    private static JsonObject podSpec() {
        return podTemplate().getJsonObject("spec");
    }

    private static JsonObject edge() {
        JsonArray containers = podSpec().getJsonArray("containers");
        assertEquals(1, containers.size());
        return containers.getJsonObject(0);
    }

    private static Map<String, JsonObject> env() {
        Map<String, JsonObject> env = new LinkedHashMap<>();
        for (Object v : edge().getJsonArray("env")) {
            JsonObject variable = (JsonObject) v;
            assertTrue(env.put(variable.getString("name"), variable) == null, "set twice: " + variable.getString("name"));
        }
        return env;
    }

    private static String fieldRef(String variable) {
        return env().get(variable).getJsonObject("valueFrom").getJsonObject("fieldRef").getString("fieldPath");
    }

    /** A port of the edge container, by number or by name, as a probe or a Service's targetPort names it. */
    private static int containerPort(Object port) {
        if (port instanceof Integer number) {
            return number;
        }
        for (Object p : edge().getJsonArray("ports")) {
            if (port.equals(((JsonObject) p).getString("name"))) {
                return ((JsonObject) p).getInteger("containerPort");
            }
        }
        return fail("no container port named " + port);
    }

    /** A Service that selects the edge pods and forwards {@code port} (TCP) to the same container port. */
    private static void assertServes(JsonObject service, int port) {
        assertSubset(service.getJsonObject("selector"), podLabels(), "Service selector");
        JsonArray ports = service.getJsonArray("ports");
        assertEquals(1, ports.size());
        JsonObject p = ports.getJsonObject(0);
        assertEquals(port, p.getInteger("port"));
        assertEquals(port, containerPort(p.getValue("targetPort", port)));
        assertEquals("TCP", p.getString("protocol", "TCP"));
    }

    private static void assertSubset(JsonObject selector, JsonObject labels, String what) {
        assertNotNull(selector, what);
        assertFalse(selector.isEmpty(), what + " selects everything");
        selector.forEach(label -> assertEquals(label.getValue(), labels.getValue(label.getKey()),
                what + " " + label.getKey() + " must match the pod template's labels"));
    }

    /** The value of the Secret key {@code ref} names, or null when no Secret in the manifests holds it. */
    private static String secretValue(JsonObject ref) {
        for (JsonObject secret : ofKind("Secret")) {
            if (!ref.getString("name").equals(name(secret))) {
                continue;
            }
            JsonObject plain = secret.getJsonObject("stringData", new JsonObject());
            if (plain.containsKey(ref.getString("key"))) {
                return plain.getString(ref.getString("key"));
            }
            String encoded = secret.getJsonObject("data", new JsonObject()).getString(ref.getString("key"));
            if (encoded != null) {
                return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static int defaultInt(String dotted) {
        String[] path = dotted.split("\\.");
        JsonObject section = defaults;
        for (int i = 0; i < path.length - 1; i++) {
            section = section.getJsonObject(path[i]);
        }
        return section.getInteger(path[path.length - 1]);
    }

    /** The variable of every key ConfigOverrides takes: each key of the file, sections included. */
    private static void environmentNames(JsonObject node, String prefix, Set<String> out) {
        for (String key : node.fieldNames()) {
            out.add(ConfigOverrides.environmentName(prefix + key));
            if (node.getValue(key) instanceof JsonObject child) {
                environmentNames(child, prefix + key + ".", out);
            }
        }
    }
}
