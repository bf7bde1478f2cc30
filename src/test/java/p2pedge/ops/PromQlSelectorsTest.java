package p2pedge.ops;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The name reader of the dashboard check, and the check itself on a small dashboard: both can fail. */
class PromQlSelectorsTest {

    @Test
    void namesAreTheMetricsNotFunctionsLabelsDurationsOrVariables() {
        assertEquals(Set.of("p2pedge_failover_seconds_bucket"), PromQlSelectors.names(
                "histogram_quantile(0.99, sum by (le) (rate(p2pedge_failover_seconds_bucket{instance=~\"$instance\"}[$__rate_interval])))"));
        assertEquals(Set.of("p2pedge_players", "p2pedge_edge_info"), PromQlSelectors.names(
                "sum(p2pedge_players{role=\"client\", instance=~\"${instance:regex}\"}) by (role, instance)"
                        + " * on (instance) group_left (edge) p2pedge_edge_info offset 5m"));
        assertEquals(Set.of("a_total", "b:recorded"), PromQlSelectors.names(
                "60 * sum without (code) (increase(a_total{code=~\"4..|}\"}[1h30m:1m] @ end())) / ignoring(x) b:recorded > bool 1e-3"
                        + " and max_over_time(b:recorded[[[interval]]]) # a_comment_not_a_metric"));
        assertEquals(Set.of("x"), PromQlSelectors.names("label_replace(x, \"dst\", \"$1\", \"src\", \"(no_metric_here)\") or vector(NaN)"));
    }

    @Test
    void selectorsKeepTheirMatchers() {
        assertEquals(List.of(new PromQlSelectors.Selector("a", "instance=~\"$instance\", role=\"host\""), new PromQlSelectors.Selector("b", "")),
                PromQlSelectors.of("a{instance=~\"$instance\", role=\"host\"} / b"));
    }

    @Test
    void aMisspeltFunctionOrAnUnnamedSelectorIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> PromQlSelectors.of("rte(p2pedge_placements_total[5m])"));
        assertThrows(IllegalArgumentException.class, () -> PromQlSelectors.of("{__name__=~\"p2pedge_.*\"}"));
    }

    @Test
    void theCheckReportsAMisspeltMetricInARowItsVariableAndHints() {
        JsonObject json = new JsonObject("""
                {"templating": {"list": [
                  {"name": "instance", "type": "query", "query": {"query": "label_values(p2pedge_edge_infos, instance)"}},
                  {"name": "job", "type": "query", "query": "label_values(job)"}]},
                 "panels": [
                  {"id": 1, "type": "row", "collapsed": true, "panels": [
                    {"id": 2, "title": "Players", "targets": [
                      {"refId": "A", "expr": "sum by (role) (p2pedge_player{instance=~\\"$instance\\"})"},
                      {"refId": "B", "expr": "p2pedge_offload_ratio"}]}]},
                  {"id": 3, "title": "Failover", "targets": [
                    {"refId": "A", "expr": "rate(p2pedge_failover_seconds_sum[5m]) / rate(p2pedge_failover_seconds[5m])"},
                    {"refId": "B", "expr": "rate(p2pedge_placements[5m])"}]}]}
                """);
        Set<String> exported = Set.of("p2pedge_players", "p2pedge_offload_ratio", "p2pedge_edge_info", "p2pedge_placements_total",
                "p2pedge_failover_seconds_bucket", "p2pedge_failover_seconds_count", "p2pedge_failover_seconds_sum");
        GrafanaDashboard dashboard = new GrafanaDashboard(json);
        assertEquals(3, dashboard.panels().size(), "the row's panel is found");
        assertEquals(List.of(
                "p2pedge_player in panel 2 \"Players\" A",
                "p2pedge_failover_seconds (a histogram: its series are p2pedge_failover_seconds_bucket, _count and _sum) in panel 3 \"Failover\" A",
                "p2pedge_placements (a counter: p2pedge_placements_total) in panel 3 \"Failover\" B",
                "p2pedge_edge_infos in variable instance"), dashboard.unknownNames(exported));
        String spelt = json.encode().replace("p2pedge_edge_infos", "p2pedge_edge_info").replace("p2pedge_player{", "p2pedge_players{")
                .replace("p2pedge_failover_seconds[", "p2pedge_failover_seconds_count[").replace("p2pedge_placements[", "p2pedge_placements_total[");
        assertEquals(List.of(), new GrafanaDashboard(new JsonObject(spelt)).unknownNames(exported), "spelt right, nothing to report");
    }
}
