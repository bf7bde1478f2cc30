package p2pedge.browser;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The pages the edge serves (player, publish, WHEP, dashboard) show stream names, peer ids and user agents that
 * come from outsiders: they write them with textContent and build elements with createElement, never by parsing
 * HTML, so no such value can become markup.
 */
class PageScriptsTest {

    private static final Pattern HTML_SINKS = Pattern.compile(
            "\\.innerHTML\\b|\\.outerHTML\\b|insertAdjacentHTML|document\\.write|createContextualFragment|\\beval\\(|new Function\\(");

    @Test
    void noPageScriptParsesStringsAsHtml() throws IOException {
        List<String> sinks = new ArrayList<>();
        for (String root : List.of("src/main/resources/webroot", "src/main/resources/dashboard")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".js") || f.toString().endsWith(".html")).toList()) {
                    List<String> lines = Files.readAllLines(file);
                    for (int i = 0; i < lines.size(); i++) {
                        if (HTML_SINKS.matcher(lines.get(i)).find()) {
                            sinks.add(file + ":" + (i + 1) + ": " + lines.get(i).trim());
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), sinks, "HTML sinks in the pages' scripts");
    }
}
