package dev.granitej.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;

/**
 * Streams random bf16 tensor values into a channel through one reusable buffer, so that a checkpoint of any
 * size is written with constant memory. Normal values come from a 65,536-entry table of standard normal draws
 * indexed by 16 random bits (four values per 64-bit SplitMix64 step): the empirical distribution is
 * Gaussian to plotting accuracy, and the writer runs at disk speed. Every tensor has its own stream, seeded
 * from the checkpoint seed and the tensor's name, so the values do not depend on the shard layout.
 */
final class RandomBf16 {

    private static final int TABLE = 1 << 16;

    private final long seed;
    private final float[] normal = new float[TABLE];

    RandomBf16(long seed) {
        this.seed = seed;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < TABLE; i++) {
            normal[i] = (float) gaussian(r);
        }
    }

    /** Box–Muller, one of the pair (SplittableRandom has no nextGaussian of its own before JDK 17's API). */
    private static double gaussian(SplittableRandom r) {
        double u = 1.0 - r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /**
     * Appends the {@code entry}'s values to {@code buffer} (little-endian, capacity a multiple of 8 bytes),
     * writing it to {@code out} whenever it fills. The caller drains what is left at the end.
     */
    void write(TensorPlan.Entry entry, ByteBuffer buffer, WritableByteChannel out) throws IOException {
        long state = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + entry.name().hashCode()).nextLong();
        long remaining = entry.elements();
        short[] table = entry.init() instanceof Init.Gaussian g ? table(g) : null;
        SplittableRandom direct = new SplittableRandom(state);
        while (remaining > 0) {
            if (buffer.remaining() < 8) {
                drain(buffer, out);
            }
            int n = (int) Math.min(remaining, buffer.remaining() / 2);
            if (table != null) {
                state = fillFromTable(buffer, n, table, state);
            } else {
                for (int i = 0; i < n; i++) {
                    buffer.putShort(bf16(sample(entry.init(), direct)));
                }
            }
            remaining -= n;
        }
    }

    private short[] table(Init.Gaussian g) {
        short[] t = new short[TABLE];
        for (int i = 0; i < TABLE; i++) {
            t[i] = bf16((float) (g.mean() + g.std() * normal[i]));
        }
        return t;
    }

    /** Four table values per SplitMix64 output; returns the advanced generator state. */
    private static long fillFromTable(ByteBuffer buffer, int n, short[] t, long state) {
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            state += 0x9E3779B97F4A7C15L;
            long r = mix(state);
            long packed = (t[(int) (r & 0xFFFF)] & 0xFFFFL)
                    | (t[(int) ((r >>> 16) & 0xFFFF)] & 0xFFFFL) << 16
                    | (t[(int) ((r >>> 32) & 0xFFFF)] & 0xFFFFL) << 32
                    | (t[(int) (r >>> 48)] & 0xFFFFL) << 48;
            buffer.putLong(packed);
        }
        for (; i < n; i++) {
            state += 0x9E3779B97F4A7C15L;
            buffer.putShort(t[(int) (mix(state) & 0xFFFF)]);
        }
        return state;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static float sample(Init init, SplittableRandom r) {
        return switch (init) {
            case Init.Gaussian g -> (float) (g.mean() + g.std() * gaussian(r));
            case Init.Uniform u -> (float) (u.lo() + (u.hi() - u.lo()) * r.nextDouble());
            case Init.LogUniform u -> (float) Math.log(u.lo() + (u.hi() - u.lo()) * r.nextDouble());
        };
    }

    /** Round-to-nearest-even fp32 → bf16 (the values here are finite). */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Writes out everything in {@code buffer} and clears it. */
    static void drain(ByteBuffer buffer, WritableByteChannel out) throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
        buffer.clear();
    }
}
