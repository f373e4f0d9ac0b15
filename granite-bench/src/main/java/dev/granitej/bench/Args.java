package dev.granitej.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reading option values from a command line, with errors that name the option. */
final class Args {

    private Args() {
    }

    static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    static int intValue(String[] args, int i, String option) {
        long v = longValue(args, i, option);
        if (v != (int) v) {
            throw new IllegalArgumentException(option + " is out of range: " + v);
        }
        return (int) v;
    }

    static long longValue(String[] args, int i, String option) {
        String v = value(args, i, option);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs an integer, got '" + v + "'");
        }
    }

    /** A comma-separated list of non-negative integers, e.g. {@code 1,4,16}. */
    static List<Integer> intList(String[] args, int i, String option) {
        String v = value(args, i, option);
        List<Integer> out = new ArrayList<>();
        for (String part : v.split(",", -1)) {
            try {
                int n = Integer.parseInt(part.trim());
                if (n < 0) {
                    throw new NumberFormatException();
                }
                out.add(n);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs non-negative integers separated by commas, got '"
                        + v + "'");
            }
        }
        return List.copyOf(out);
    }

    /** A byte count: plain, or with a decimal suffix KB, MB, GB. */
    static long bytesValue(String[] args, int i, String option) {
        String v = value(args, i, option).trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] s : new String[][] {{"GB", "1000000000"}, {"MB", "1000000"}, {"KB", "1000"}}) {
            if (v.endsWith(s[0])) {
                unit = Long.parseLong(s[1]);
                v = v.substring(0, v.length() - 2).trim();
                break;
            }
        }
        try {
            return Math.multiplyExact(Long.parseLong(v), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(option + " needs a size such as 2000000000, 512MB or 2GB, got '"
                    + args[i] + "'");
        }
    }
}
