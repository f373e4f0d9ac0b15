package dev.granitej.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The whole-token table and the BPE shortcut it enables. */
class WholeTokensTest {

    @Test
    void findsExactlyTheStoredByteStringsAtEveryLength() {
        WholeTokens.Builder builder = new WholeTokens.Builder();
        Random r = new Random(3);
        byte[][] keys = new byte[400][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new byte[1 + i % 40]; // both the packed (<= 15 bytes) and the hashed table
            r.nextBytes(keys[i]);
            if (i % 7 == 0) {
                Arrays.fill(keys[i], (byte) 0); // zero bytes must not make lengths collide
            }
            builder.add(keys[i], i);
        }
        builder.add(keys[5].clone(), 9999); // a duplicate: the first entry wins
        WholeTokens table = builder.build();
        byte[] buffer = new byte[64];
        for (int i = 0; i < keys.length; i++) {
            Arrays.fill(buffer, (byte) 0x5A); // bytes after the key must not matter
            System.arraycopy(keys[i], 0, buffer, 0, keys[i].length);
            int expected = firstIndexOf(keys, keys[i]);
            assertEquals(expected, table.find(buffer, keys[i].length), "key " + i);
            if (keys[i].length > 1) {
                int expectedPrefix = firstIndexOf(keys, Arrays.copyOf(keys[i], keys[i].length - 1));
                assertEquals(expectedPrefix, table.find(buffer, keys[i].length - 1), "prefix of key " + i);
            }
        }
        assertEquals(-1, table.find(buffer, 0));
    }

    private static int firstIndexOf(byte[][] keys, byte[] key) {
        for (int i = 0; i < keys.length; i++) {
            if (Arrays.equals(keys[i], key)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void shortcutGivesWhatMergingGives() throws Exception {
        Tokenizer tok = Tokenizer.fromFile(GoldenEncodeTest.resource("tokenizer.json")).withoutCache();
        var field = Tokenizer.class.getDeclaredField("model");
        field.setAccessible(true);
        BpeModel model = (BpeModel) field.get(tok);
        BpeModel.Scratch scratch = new BpeModel.Scratch();
        Random r = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            String piece = Cl100kSplitterTest.randomText(r, 1 + r.nextInt(4));
            IntList viaShortcut = new IntList(8);
            model.encode(piece, 0, piece.length(), scratch, viaShortcut);
            byte[] bytes = new byte[Utf8.maxBytes(piece.length())];
            int n = Utf8.encode(piece, 0, piece.length(), bytes);
            IntList viaMerging = new IntList(8);
            model.encodeBytes(bytes, n, new BpeModel.Scratch(), viaMerging);
            assertArrayEquals(viaMerging.toArray(), viaShortcut.toArray(),
                    () -> piece.codePoints().mapToObj(Integer::toHexString).toList().toString());
        }
    }
}
