package dev.granitej.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The attention scratch holds a prompt chunk's calls, then shrinks back once the session decodes. */
class AttentionScratchTest {

    @Test
    void promptChunksGroupTokensWithinTheBudgetAndDecodeGivesTheRoomBack() {
        AttentionScratch s = new AttentionScratch(3, 64);
        int context = 8192;
        int perCall = s.tokensPerCall(256, context);
        assertTrue(perCall > 1 && perCall <= AttentionScratch.MAX_TOKENS, "tokens per call " + perCall);
        s.ensure(256, context);
        int chunk = s.scores.length;
        assertTrue(chunk >= perCall * 3 * AttentionScratch.scoreStride(context));
        assertEquals(1, s.tokensPerCall(1, context));
        s.ensure(1, context + 1);
        int decode = s.scores.length;
        assertTrue(decode >= 3 * AttentionScratch.scoreStride(context + 1));
        assertTrue(decode < chunk / 2, "decode kept " + decode + " of the chunk's " + chunk + " floats");
        s.ensure(1, context + 2);
        assertEquals(decode, s.scores.length, "a decode step one position later reallocated");
    }
}
