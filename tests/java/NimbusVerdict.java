import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Ground truth for tests/it/nimbus/verdict.rs: does iAdvize's backend, which opens tokens with Nimbus
 * JOSE+JWT along the path in /work/shared/nimbus/README.md, accept a token?
 *
 * <p>stdin, one request a line, three fields separated by a tab: the base64 (standard alphabet,
 * padded) of the token text's exact bytes, read as UTF-8 into the String the backend receives;
 * the path of the recipient's private key (PEM, PKCS#8); the path of the brand's public key (PEM,
 * X.509 SubjectPublicKeyInfo). Paths hold no tab or line break.
 *
 * <p>stdout, one line per request, flushed: {@code accepts}, or {@code rejects STAGE: CLASS:
 * MESSAGE} where STAGE is the step that refused the token (parse, decrypt, payload-not-jws,
 * verify, claims, user-id) and CLASS and MESSAGE are those of the exception (line breaks in the
 * message become spaces). A request that cannot be read (bad base64, a key that does not load) is
 * answered {@code error: ...}; nothing a request holds ends the process.
 */
public class NimbusVerdict {
    static final String USER_ID = "https://iadvize.com/userId";

    /** A token refused at a stage that returns a value rather than throwing. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    static final Map<String, PrivateKey> PRIVATE_KEYS = new HashMap<>();
    static final Map<String, RSAPublicKey> PUBLIC_KEYS = new HashMap<>();

    public static void main(String[] args) throws Exception {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(System.out, true, "UTF-8");
        String line;
        while ((line = in.readLine()) != null) {
            out.println(oneLine(answer(line)));
        }
    }

    static String answer(String request) {
        String token;
        PrivateKey decryptKey;
        RSAPublicKey verifyKey;
        try {
            String[] fields = request.split("\t", -1);
            if (fields.length != 3) {
                return "error: expected 3 tab-separated fields, got " + fields.length;
            }
            token = new String(Base64.getDecoder().decode(fields[0]), StandardCharsets.UTF_8);
            decryptKey = privateKey(fields[1]);
            verifyKey = publicKey(fields[2]);
        } catch (Throwable e) {
            return "error: " + describe(e);
        }
        return verdict(token, decryptKey, verifyKey);
    }

    /** iAdvize's path, each step named; the first to refuse decides. */
    static String verdict(String token, PrivateKey decryptKey, RSAPublicKey verifyKey) {
        String stage = "parse";
        try {
            JWEObject jwe = JWEObject.parse(token);
            stage = "decrypt";
            jwe.decrypt(new RSADecrypter(decryptKey));
            stage = "payload-not-jws";
            SignedJWT jws = jwe.getPayload().toSignedJWT();
            if (jws == null) {
                throw new Refused("getPayload().toSignedJWT() returned null");
            }
            stage = "verify";
            if (!jws.verify(new RSASSAVerifier(verifyKey))) {
                throw new Refused("verify(RSASSAVerifier) returned false");
            }
            stage = "claims";
            JWTClaimsSet claims = jws.getJWTClaimsSet();
            stage = "user-id";
            if (claims.getStringClaim(USER_ID) == null) {
                throw new Refused("getStringClaim(\"" + USER_ID + "\") returned null");
            }
            return "accepts";
        } catch (Throwable e) {
            return "rejects " + stage + ": " + describe(e);
        }
    }

    static String describe(Throwable e) {
        if (e instanceof Refused) {
            return e.getMessage();
        }
        return e.getClass().getName() + ": " + e.getMessage();
    }

    static String oneLine(String s) {
        return s.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ');
    }

    static PrivateKey privateKey(String path) throws Exception {
        PrivateKey key = PRIVATE_KEYS.get(path);
        if (key == null) {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(path)));
            PRIVATE_KEYS.put(path, key);
        }
        return key;
    }

    static RSAPublicKey publicKey(String path) throws Exception {
        RSAPublicKey key = PUBLIC_KEYS.get(path);
        if (key == null) {
            key = (RSAPublicKey) KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(der(path)));
            PUBLIC_KEYS.put(path, key);
        }
        return key;
    }

    /** The DER inside a PEM file: the base64 between the armour lines. */
    static byte[] der(String path) throws Exception {
        StringBuilder base64 = new StringBuilder();
        for (String line : Files.readAllLines(Paths.get(path), StandardCharsets.US_ASCII)) {
            if (!line.startsWith("-----")) {
                base64.append(line.trim());
            }
        }
        return Base64.getDecoder().decode(base64.toString());
    }
}
