package dev.granitej.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The float16 and bfloat16 widenings the kernels inline, on every bit pattern and on special values. */
class ConversionTest {

    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void vectorFloat16WideningIsExactForAll65536Patterns() {
        MemorySegment seg = Arena.ofAuto().allocate(65536 * 2L);
        for (int h = 0; h < 65536; h++) {
            seg.set(I16_LE, h * 2L, (short) h);
        }
        float[] out = new float[65536];
        for (int i = 0; i < 65536; i += Simd.LANES) {
            F16Matrix.widen(seg, i * 2L, out, i);
        }
        for (int h = 0; h < 65536; h++) {
            float expected = Float.float16ToFloat((short) h);
            if (Float.isNaN(expected)) {
                assertTrue(Float.isNaN(out[h]), "NaN pattern 0x" + Integer.toHexString(h));
                // Payload kept, as Float.float16ToFloat keeps it.
                assertEquals((h & 0x3ff) << 13, Float.floatToRawIntBits(out[h]) & 0x7fffff);
            } else {
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[h]),
                        "pattern 0x" + Integer.toHexString(h) + " expected " + expected + " got " + out[h]);
            }
        }
    }

    @Test
    void float16SpecialValues() {
        assertEquals(Float.POSITIVE_INFINITY, Float.float16ToFloat((short) 0x7c00));
        assertEquals(Float.NEGATIVE_INFINITY, Float.float16ToFloat((short) 0xfc00));
        assertEquals(0x1p-24f, Float.float16ToFloat((short) 0x0001)); // smallest subnormal
        assertEquals(65504f, Float.float16ToFloat((short) 0x7bff)); // largest normal
        assertEquals(-0f, Float.float16ToFloat((short) 0x8000));
    }

    @Test
    void vectorDotsPropagateInfinitiesLikeScalar() {
        for (WeightFormat format : new WeightFormat[]{WeightFormat.BF16, WeightFormat.F16}) {
            int cols = 64;
            MemorySegment seg = Arena.ofAuto().allocate(cols * 2L);
            short one = format == WeightFormat.BF16 ? (short) 0x3f80 : (short) 0x3c00;
            short inf = format == WeightFormat.BF16 ? (short) 0x7f80 : (short) 0x7c00;
            for (int i = 0; i < cols; i++) {
                seg.set(I16_LE, i * 2L, i == 37 ? inf : one);
            }
            WeightMatrix m = WeightMatrix.of(format, seg, 1, cols);
            float[] x = new float[cols];
            java.util.Arrays.fill(x, 1f);
            assertEquals(Float.POSITIVE_INFINITY, m.dotScalar(0, x, 0), format + " scalar");
            assertEquals(Float.POSITIVE_INFINITY, m.dotVector(0, x, 0), format + " vector");
            x[37] = 0f; // inf · 0 = NaN
            assertTrue(Float.isNaN(m.dotVector(0, x, 0)), format + " vector NaN");
        }
    }

    @Test
    void bf16IsTheUpperHalfOfAFloat() {
        assertEquals(1f, Bf16Matrix.bf16ToFloat((short) 0x3f80));
        assertEquals(-2f, Bf16Matrix.bf16ToFloat((short) 0xc000));
        assertEquals(Float.POSITIVE_INFINITY, Bf16Matrix.bf16ToFloat((short) 0x7f80));
        assertEquals(Float.NEGATIVE_INFINITY, Bf16Matrix.bf16ToFloat((short) 0xff80));
        assertTrue(Float.isNaN(Bf16Matrix.bf16ToFloat((short) 0x7fc0)));
        assertEquals(0x1p-133f, Bf16Matrix.bf16ToFloat((short) 0x0001)); // smallest bf16 subnormal
        assertEquals(-0f, Bf16Matrix.bf16ToFloat((short) 0x8000));
    }

    @Test
    void vectorBf16DotIsExactOnAllPatternsThatAreFinite() {
        // One row holding every finite bf16 pattern; with a one-hot x the dot is exactly the selected weight.
        int cols = 65536;
        MemorySegment seg = Arena.ofAuto().allocate(cols * 2L);
        for (int h = 0; h < cols; h++) {
            int exp = (h >>> 7) & 0xff;
            seg.set(I16_LE, h * 2L, exp == 0xff ? (short) 0x3f80 : (short) h);
        }
        WeightMatrix m = WeightMatrix.of(WeightFormat.BF16, seg, 1, cols);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i += 997) {
            java.util.Arrays.fill(x, 0f);
            x[i] = 1f;
            assertEquals(m.get(0, i), m.dotVector(0, x, 0), "bf16 pattern 0x" + Integer.toHexString(i));
        }
    }
}
