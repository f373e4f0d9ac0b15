package dev.granitej.cli;

/** Entry point of the {@code ./granite} command line. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("granite: no commands yet");
        System.exit(2);
    }
}
