package dev.granitej.bench;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.granitej.tokenizer.Tokenizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Encoding throughput of Granite's tokenizer (cl100k_base + added tokens, loaded from
 * {@code shared/golden/granite-tokenizer/tokenizer.json}) against JTokkit's cl100k_base on the same 1 MB texts.
 * Both produce identical ids on these texts (see JTokkitDifferentialTest). Milliseconds per op; MB/s = size / score.
 *
 * <p>{@code granite} uses the tokenizer as loaded, whose piece cache is warm after the first iteration: every
 * iteration encodes the same text, so even pieces that occur once in it (most CJK runs) are cache hits.
 * {@code graniteNoCache} uses {@link Tokenizer#withoutCache()} and pays for every piece every time, as JTokkit
 * (which has no cache) does; it is the figure to compare.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp "granite-bench/target/classes:granite-bench/target/lib/*"
 * org.openjdk.jmh.Main TokenizerBenchmark -wi 3 -i 5 -w 2s -r 2s -f 1}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TokenizerBenchmark {

    @Param({"english", "code", "cjk"})
    public String corpus;

    private String text;
    private Tokenizer granite;
    private Tokenizer graniteNoCache;
    private Encoding jtokkit;

    @Setup
    public void setup() {
        Path file = locate();
        granite = Tokenizer.fromFile(file);
        graniteNoCache = granite.withoutCache();
        jtokkit = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        text = switch (corpus) {
            case "english" -> Corpora.english(1 << 20);
            case "code" -> Corpora.code(1 << 20);
            case "cjk" -> Corpora.cjk(1 << 20);
            default -> throw new IllegalArgumentException(corpus);
        };
        int[] expected = jtokkit.encodeOrdinary(text).toArray();
        if (!java.util.Arrays.equals(granite.encode(text), expected)
                || !java.util.Arrays.equals(graniteNoCache.encode(text), expected)) {
            throw new IllegalStateException("Granite and JTokkit disagree on the " + corpus + " corpus");
        }
        System.out.printf("%n%s corpus: %d UTF-8 bytes%n", corpus, text.getBytes(StandardCharsets.UTF_8).length);
    }

    private static Path locate() {
        String prop = System.getProperty("granitej.shared");
        if (prop != null) {
            return Path.of(prop, "golden/granite-tokenizer/tokenizer.json");
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/golden/granite-tokenizer/tokenizer.json");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/golden/granite-tokenizer/tokenizer.json not found; set -Dgranitej.shared");
    }

    @Benchmark
    public int[] granite() {
        return granite.encode(text);
    }

    @Benchmark
    public int[] graniteNoCache() {
        return graniteNoCache.encode(text);
    }

    @Benchmark
    public Object jtokkitCl100k() {
        return jtokkit.encodeOrdinary(text);
    }

    /** Deterministic ~N-byte texts: English-like prose, Java-like code, Chinese/Japanese/Korean prose. */
    static final class Corpora {
        private Corpora() {}

        private static final String[] WORDS = ("the of and to in is was that for it with as his on be at by had are "
                + "but from or have an they which one you were all we her she there would their will when who him been "
                + "has more if no out do so can what up said about other into than its time only could new them man "
                + "some these then two first may any like now my such make over our even most me state after also made "
                + "many did must before back see through way where get much go well your know should down work year "
                + "because come people just say each those take day good how long Mr own too little use US very great "
                + "still men here life both between old under last never place same another think house while high "
                + "tokenizer performance language model throughput benchmark Granite encoding").split(" ");

        static String english(int bytes) {
            Random r = new Random(1);
            StringBuilder sb = new StringBuilder(bytes + 100);
            while (sb.length() < bytes) {
                int sentence = 6 + r.nextInt(14);
                for (int i = 0; i < sentence; i++) {
                    String w = WORDS[r.nextInt(WORDS.length)];
                    if (i == 0) {
                        w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                    }
                    sb.append(w);
                    if (i + 1 < sentence) {
                        sb.append(r.nextInt(12) == 0 ? ", " : " ");
                    }
                }
                sb.append(r.nextInt(8) == 0 ? "?" : ".");
                if (r.nextInt(5) == 0) {
                    sb.append(" In ").append(1900 + r.nextInt(125)).append(", it cost $").append(r.nextInt(100000))
                            .append(".");
                }
                sb.append(r.nextInt(6) == 0 ? "\n\n" : " ");
            }
            return sb.toString();
        }

        static String code(int bytes) {
            Random r = new Random(2);
            StringBuilder sb = new StringBuilder(bytes + 200);
            int n = 0;
            while (sb.length() < bytes) {
                n++;
                sb.append("    /** Computes the ").append(WORDS[r.nextInt(WORDS.length)]).append(" value. */\n");
                sb.append("    public static int compute").append(n).append("(int[] values, int offset) {\n");
                sb.append("        int sum = 0;\n");
                sb.append("        for (int i = offset; i < values.length; i++) {\n");
                sb.append("            sum += values[i] * ").append(r.nextInt(1000)).append(" ^ (sum >>> 3);\n");
                sb.append("        }\n");
                sb.append("        if (sum > 0x").append(Integer.toHexString(r.nextInt())).append(") {\n");
                sb.append("            throw new IllegalStateException(\"overflow in compute").append(n)
                        .append(": \" + sum);\n");
                sb.append("        }\n        return sum; // ").append(WORDS[r.nextInt(WORDS.length)]).append("\n    }\n\n");
            }
            return sb.toString();
        }

        static String cjk(int bytes) {
            Random r = new Random(3);
            String common = "的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事其里所去行过家十用发天如然作方成者多日都三小军二无同么经法当起与好看学进种将还分此心前面又定见只主没公从";
            String kana = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをんアイウエオカキクケコ";
            String hangul = "가나다라마바사아자차카타파하한국어문장입니다습니까";
            StringBuilder sb = new StringBuilder(bytes / 3 + 100);
            int utf8 = 0;
            while (utf8 < bytes) {
                String alphabet = switch (r.nextInt(3)) {
                    case 0 -> common;
                    case 1 -> kana;
                    default -> hangul;
                };
                int len = 5 + r.nextInt(25);
                for (int i = 0; i < len; i++) {
                    sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                    utf8 += 3;
                }
                sb.append(r.nextInt(4) == 0 ? "。\n" : r.nextInt(3) == 0 ? "、" : " ");
                utf8 += 3;
            }
            return sb.toString();
        }
    }
}
