package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ScalarVecTest {
    @Test
    void softmaxSumsToOne() {
        float[] x = {1f, 2f, 3f};
        ScalarVec.softmax(x, 0, 3);
        assertEquals(1f, x[0] + x[1] + x[2], 1e-6f);
    }
}
