package dev.granitej.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LauncherTest {
    @Test
    void launcherIsExecutable() {
        assertTrue(Files.isExecutable(Path.of("..", "granite")));
    }
}
