import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.ToNumberPolicy;
import com.google.gson.reflect.TypeToken;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Ground truth for tests/it/nimbus/json.rs: what Nimbus JOSE+JWT's JSONObjectUtils.parse (Gson with
 * Nimbus's settings) makes of each input.
 *
 * <p>stdin: one input a line, the base64 of its UTF-8 bytes. stdout, one line per input, flushed:
 * "rejects", or "accepts " and the canonical form of the returned Map ("n" for null).
 *
 * <p>Canonical form: n (null), t, f, l123 (Long), d3ff0000000000000 (Double: the bits of
 * Double.doubleToLongBits in hex), s"..." (String), [a,b] (List), {"name":value,...} (Map, in
 * iteration order). Strings are quoted with ", escape " and \ with a backslash, and write every
 * char outside printable ASCII as backslash-u and four lower-case hex digits (UTF-16 code units).
 * Two documented differences of src/gson.rs are applied here, so that the rest can be compared
 * exactly: an unpaired surrogate is written as U+FFFD, an infinite Double as +-Double.MAX_VALUE.
 */
public class NimbusJson {
    /** Nimbus 9.x JSONObjectUtils.GSON. */
    static final Gson GSON = new GsonBuilder().serializeNulls()
        .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).disableHtmlEscaping().create();
    static final Type MAP_TYPE =
        TypeToken.getParameterized(Map.class, String.class, Object.class).getType();

    public static void main(String[] args) throws Exception {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = new PrintStream(System.out, true, "US-ASCII");
        String line;
        while ((line = in.readLine()) != null) {
            String s = new String(Base64.getDecoder().decode(line.trim()), StandardCharsets.UTF_8);
            Map<String, Object> map;
            try {
                map = parse(s);
            } catch (Exception | StackOverflowError e) {
                out.println("rejects");
                continue;
            }
            StringBuilder b = new StringBuilder("accepts ");
            try {
                canonical(map, b);
            } catch (StackOverflowError e) {
                b.setLength(0);
                b.append("accepts (too deep to print)");
            }
            out.println(b);
        }
    }

    /** JSONObjectUtils.parse(s, -1) up to its catch clauses, which turn any failure into a
     * ParseException. */
    static Map<String, Object> parse(String s) throws Exception {
        if (s.trim().isEmpty()) {
            throw new Exception("Invalid JSON object");
        }
        return GSON.fromJson(s, MAP_TYPE);
    }

    static void canonical(Object o, StringBuilder b) {
        if (o == null) {
            b.append('n');
        } else if (o instanceof Boolean) {
            b.append((Boolean) o ? 't' : 'f');
        } else if (o instanceof Long) {
            b.append('l').append((long) (Long) o);
        } else if (o instanceof Double) {
            double d = (Double) o;
            if (Double.isInfinite(d)) {
                d = d > 0 ? Double.MAX_VALUE : -Double.MAX_VALUE;
            }
            b.append('d').append(String.format("%016x", Double.doubleToLongBits(d)));
        } else if (o instanceof String) {
            b.append('s');
            string((String) o, b);
        } else if (o instanceof List) {
            b.append('[');
            String separator = "";
            for (Object x : (List<?>) o) {
                b.append(separator);
                separator = ",";
                canonical(x, b);
            }
            b.append(']');
        } else if (o instanceof Map) {
            b.append('{');
            String separator = "";
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                b.append(separator);
                separator = ",";
                string((String) e.getKey(), b);
                b.append(':');
                canonical(e.getValue(), b);
            }
            b.append('}');
        } else {
            throw new IllegalStateException("unexpected " + o.getClass());
        }
    }

    static void string(String s, StringBuilder b) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length()
                && Character.isLowSurrogate(s.charAt(i + 1));
            if (pair) {
                b.append(String.format("\\u%04x\\u%04x", (int) c, (int) s.charAt(i + 1)));
                i++;
            } else if (Character.isSurrogate(c)) {
                b.append("\\ufffd");
            } else if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('"');
    }
}
