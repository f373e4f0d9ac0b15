package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpeciesReportTest {

    @Test
    void speciesFollowTheFloatWidth() {
        System.err.println("granitej kernels under test: " + Simd.F + ", bytes " + Simd.B);
        assertEquals(Simd.LANES, Simd.S.length());
        assertEquals(Simd.LANES, Simd.I.length());
        assertTrue(Simd.BYTE_LANES == Simd.LANES || Simd.PAIRS);
        String asked = System.getProperty("granitej.vectorBits");
        if (asked != null) {
            assertEquals(Integer.parseInt(asked), Simd.F.vectorBitSize());
        }
    }

    @Test
    void rejectsUnknownWidths() {
        assertThrows(IllegalArgumentException.class, () -> Simd.floatSpecies("96"));
        assertThrows(IllegalArgumentException.class, () -> Simd.floatSpecies("wide"));
        assertEquals(128, Simd.floatSpecies("128").vectorBitSize());
    }
}
