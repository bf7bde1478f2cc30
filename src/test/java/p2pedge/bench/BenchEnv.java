package p2pedge.bench;

/** A bench's settings come from the environment: a whole number, or the default when unset or blank; or a text. */
final class BenchEnv {

    private BenchEnv() {
    }

    static int integer(String name, int fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }

    /** The setting trimmed, empty when unset. */
    static String text(String name) {
        return System.getenv().getOrDefault(name, "").trim();
    }
}
