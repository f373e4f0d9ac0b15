package dev.granitej.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A session memory limit refuses sessions past the budget and gets reservations back on close. */
class SessionMemoryLimitTest {

    @Test
    void limitRefusesAndCloseReleases() {
        LoadOptions probe = LoadOptions.defaults();
        long perSession;
        try (Granite g = Granite.load(GenerationTest.demoDir(), probe)) {
            perSession = g.info().sessionBytes(100);
        }
        try (Granite g = Granite.load(GenerationTest.demoDir(),
                LoadOptions.defaults().withSessionMemoryLimit(2 * perSession + perSession / 2))) {
            Session a = g.newSession(100);
            Session b = g.newSession(100);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.newSession(100));
            assertTrue(e.getMessage().contains("session memory limit"), e.getMessage());
            assertEquals(2 * perSession, g.reservedSessionBytes());
            a.close();
            a.close(); // idempotent: released once
            assertEquals(perSession, g.reservedSessionBytes());
            Session c = g.newSession(100);
            assertThrows(IllegalStateException.class, b::fork, "a fork reserves like a new session");
            b.close();
            c.close();
            assertEquals(0, g.reservedSessionBytes());
        }
    }
}
