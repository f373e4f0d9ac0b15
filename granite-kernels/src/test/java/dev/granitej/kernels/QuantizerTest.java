package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Quantization with ggml's rounding, on blocks whose expected bytes were worked out by hand. */
class QuantizerTest {

    private static WeightMatrix f32Row(float[] values) {
        MemorySegment seg = Arena.ofAuto().allocate(values.length * 4L);
        for (int i = 0; i < values.length; i++) {
            seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i * 4L, values[i]);
        }
        return WeightMatrix.of(WeightFormat.F32, seg, 1, values.length);
    }

    private static byte[] bytes(WeightMatrix m) {
        return m.segment().asSlice(0, m.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    @Test
    void q8BlocksRoundHalfAwayFromZero() {
        float[] x = new float[64];
        float[] first = {127f, -127f, 0.5f, -0.5f, 1.5f, -1.5f, 2.49f, 2.5f, -2.5f, 3.7f, -3.7f, 0f, 100.4f, -100.6f};
        System.arraycopy(first, 0, x, 0, first.length);
        float[] second = {63.5f, 1.25f, -0.25f, 0.2f}; // amax 63.5: d = 0.5, x/d = 127, 2.5, -0.5, 0.4
        System.arraycopy(second, 0, x, 32, second.length);
        WeightMatrix q = Quantizer.quantize(f32Row(x), WeightFormat.Q8_0, Arena.ofAuto());
        assertEquals(WeightFormat.Q8_0, q.format());
        byte[] expected = new byte[68];
        // block 0: d = 127/127 = 1.0 (fp16 0x3C00, little-endian), then q
        System.arraycopy(b(0x00, 0x3C, 127, -127, 1, -1, 2, -2, 2, 3, -3, 4, -4, 0, 100, -101), 0, expected, 0, 16);
        // block 1: d = 0.5 (fp16 0x3800)
        System.arraycopy(b(0x00, 0x38, 127, 3, -1, 0), 0, expected, 34, 6);
        assertArrayEquals(expected, bytes(q));
        assertEquals(-101f, q.get(0, 13));
        assertEquals(1.5f, q.get(0, 33));
    }

    @Test
    void q4BlockWithNegativeExtremeHasScaleOne() {
        float[] x = new float[32];
        float[] lows = {-8f, 7f, 7.6f, 0f, -0.5f, -0.51f, 0.49f, 0.5f, -7.9f};
        System.arraycopy(lows, 0, x, 0, lows.length);
        x[16] = 3f;
        x[17] = -3f;
        WeightMatrix q = Quantizer.quantize(f32Row(x), WeightFormat.Q4_0, Arena.ofAuto());
        // d = max/-8 = -8/-8 = 1.0; q = min(15, (int)(x + 8.5)): 0, 15, 15 (clipped), 8, 8, 7, 8, 9, 0; 11, 5
        byte[] expected = b(0x00, 0x3C, 0xB0, 0x5F, 0x8F, 0x88, 0x88, 0x87, 0x88, 0x89, 0x80,
                0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88);
        assertArrayEquals(expected, bytes(q));
        assertEquals(-8f, q.get(0, 0));
        assertEquals(7f, q.get(0, 2)); // 7.6 clipped to the top code
        assertEquals(3f, q.get(0, 16));
        assertEquals(-3f, q.get(0, 17));
    }

    @Test
    void q4BlockWithPositiveExtremeHasNegativeScale() {
        float[] x = new float[32];
        x[0] = 4f;
        x[1] = -4f; // same magnitude, later: the first one stays the extreme
        x[2] = 1f;
        WeightMatrix q = Quantizer.quantize(f32Row(x), WeightFormat.Q4_0, Arena.ofAuto());
        // d = 4/-8 = -0.5 (fp16 0xB800), id = -2: q = 0, 15 (16 clipped), 6, then 8s
        byte[] expected = b(0x00, 0xB8, 0x80, 0x8F, 0x86, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88,
                0x88, 0x88, 0x88, 0x88, 0x88, 0x88, 0x88);
        assertArrayEquals(expected, bytes(q));
        assertEquals(4f, q.get(0, 0));
        assertEquals(-3.5f, q.get(0, 1));
        assertEquals(1f, q.get(0, 2));
    }

    @Test
    void dequantizesHandWrittenGgmlBlocks() {
        MemorySegment q8 = MemorySegment.ofArray(new byte[34]);
        q8.copyFrom(MemorySegment.ofArray(b(0x00, 0x38, -128, 127, 1)));
        WeightMatrix m8 = WeightMatrix.of(WeightFormat.Q8_0, q8, 1, 32);
        assertEquals(-64f, m8.get(0, 0));
        assertEquals(63.5f, m8.get(0, 1));
        assertEquals(0.5f, m8.get(0, 2));
        assertEquals(0f, m8.get(0, 3));

        MemorySegment q4 = MemorySegment.ofArray(new byte[18]);
        q4.copyFrom(MemorySegment.ofArray(b(0x00, 0x40, 0x1F)));
        WeightMatrix m4 = WeightMatrix.of(WeightFormat.Q4_0, q4, 1, 32);
        assertEquals(14f, m4.get(0, 0)); // d = 2, low nibble 15
        assertEquals(-14f, m4.get(0, 16)); // high nibble 1
        assertEquals(-16f, m4.get(0, 1)); // nibble 0
        // The kernels agree with the dequantized values.
        float[] x = new float[32];
        x[0] = 1f;
        x[16] = 10f;
        assertEquals(14f - 140f, m4.dotScalar(0, x, 0));
        assertEquals(14f - 140f, m4.dotVector(0, x, 0));
        x = new float[32];
        x[1] = 2f;
        assertEquals(127f, m8.dotScalar(0, x, 0));
        assertEquals(127f, m8.dotVector(0, x, 0));
    }

    @Test
    void quantizationErrorIsWithinHalfAStep() {
        Random random = new Random(11);
        WeightMatrix source = Matrices.random(WeightFormat.F32, 3, 256, random);
        for (WeightFormat target : new WeightFormat[]{WeightFormat.Q8_0, WeightFormat.Q4_0}) {
            WeightMatrix q = Quantizer.quantize(source, target, Arena.ofAuto());
            for (int r = 0; r < 3; r++) {
                for (int blk = 0; blk < 8; blk++) {
                    float amax = 0;
                    for (int j = 0; j < 32; j++) {
                        amax = Math.max(amax, Math.abs(source.get(r, blk * 32 + j)));
                    }
                    float step = target == WeightFormat.Q8_0 ? amax / 127 : amax / 8;
                    for (int j = 0; j < 32; j++) {
                        float err = Math.abs(source.get(r, blk * 32 + j) - q.get(r, blk * 32 + j));
                        // Half a step, plus the fp16 rounding of d; Q4_0 clips the top code (up to one step).
                        float allowed = (target == WeightFormat.Q8_0 ? 0.5f : 1f) * step * 1.01f + amax * 1e-3f;
                        assertTrue(err <= allowed, target + " error " + err + " > " + allowed);
                    }
                }
            }
        }
    }

    @Test
    void roundsLikeCRoundf() {
        assertEquals(3, Quantizer.roundHalfAway(2.5f));
        assertEquals(-3, Quantizer.roundHalfAway(-2.5f));
        assertEquals(0, Quantizer.roundHalfAway(0.49999997f));
        assertEquals(-2, Quantizer.roundHalfAway(-1.6f));
    }

    @Test
    void rejectsBadInput() {
        WeightMatrix odd = f32Row(new float[40]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(odd, WeightFormat.Q8_0, Arena.ofAuto()));
        assertTrue(e.getMessage().contains("not a multiple of 32"), e.getMessage());
        float[] nan = new float[32];
        nan[5] = Float.NaN;
        e = assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(f32Row(nan), WeightFormat.Q4_0, Arena.ofAuto()));
        assertTrue(e.getMessage().contains("column 5"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Quantizer.quantize(f32Row(new float[32]), WeightFormat.BF16, Arena.ofAuto()));
    }
}
