package p2pedge.bench;

import java.util.Arrays;
import java.util.Collection;

/** Several runs' figures as a bench quotes them: the median, with the smallest and largest. */
record Spread(double median, double min, double max) {

    static Spread of(double... values) {
        if (values.length == 0) {
            return new Spread(0, 0, 0);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[n - 1]);
    }

    static Spread of(Collection<? extends Number> values) {
        return of(values.stream().mapToDouble(Number::doubleValue).toArray());
    }
}
