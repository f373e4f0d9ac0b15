package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad inputs are rejected before any state changes; forks evolve independently. */
class ModelInputTest {

    static GraniteModel model;

    @BeforeAll
    static void load() {
        model = GraniteModel.load(GoldenCase.dirOf("tiny-moe-nope"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void tokenIdOutOfRangeIsRejectedWithoutConsumingAnything() {
        SequenceState s = model.newState(8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.forward(s, new int[] {5, 384}));
        assertTrue(e.getMessage().contains("token id 384 at index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.forward(s, new int[] {-1}));
        assertEquals(0, s.position());
    }

    @Test
    void contextOverflowIsAnExceptionNotACrash() {
        SequenceState s = model.newState(4);
        model.forward(s, new int[] {3, 4, 5});
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> model.forward(s, new int[] {6, 7}));
        assertEquals(3, e.position());
        assertEquals(4, e.limit());
        assertEquals(3, s.position());
        model.forward(s, new int[] {6});
        assertEquals(4, s.position());
    }

    @Test
    void copiedStateContinuesLikeTheOriginal() {
        SequenceState a = model.newState(32);
        model.forward(a, new int[] {3, 9, 27, 81, 243});
        SequenceState b = a.copy();
        float[] la = model.forward(a, new int[] {17});
        float[] lb = model.forward(b, new int[] {17});
        assertArrayEquals(la, lb);
        model.forward(a, new int[] {5});
        SequenceState c = model.newState(32);
        c.copyFrom(b);
        assertArrayEquals(model.forward(b, new int[] {5}), model.forward(c, new int[] {5}));
        assertTrue(a.stateBytes() > 0);
    }
}
