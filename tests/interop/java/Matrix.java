// The relying-party matrix, Java column (tests/interop/matrix.py): the JDK's
// own java.security.cert only (CertificateFactory, CertPathValidator "PKIX"
// with PKIXRevocationChecker over OCSP and CRLs), as a Java relying party
// would use it. Reads the manifest the driver wrote (a flat, tab-separated
// copy: the JDK has no JSON parser) and prints one JSON object per check.
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.*;
import java.util.*;

public final class Matrix {
  static final String STACK = "java";

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  static void emit(String id, String check, boolean ok, String detail, Map<String, String> values) {
    StringBuilder b = new StringBuilder("{\"stack\":\"java\",\"id\":").append(quote(id))
        .append(",\"check\":").append(quote(check)).append(",\"ok\":").append(ok)
        .append(",\"detail\":").append(quote(detail == null ? "" : detail));
    if (values != null) {
      b.append(",\"values\":{");
      String sep = "";
      for (Map.Entry<String, String> e : values.entrySet()) {
        b.append(sep).append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        sep = ",";
      }
      b.append('}');
    }
    System.out.println(b.append('}'));
  }

  // A DER TLV at `pos`: {tag, start of value, end of value}.
  static int[] tlv(byte[] d, int pos) {
    int tag = d[pos] & 0xff;
    int len = d[pos + 1] & 0xff;
    int start = pos + 2;
    if (len > 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) len = (len << 8) | (d[start + i] & 0xff);
      start += n;
    }
    return new int[] {tag, start, start + len};
  }

  static String oid(byte[] d, int start, int end) {
    StringBuilder b = new StringBuilder();
    long v = 0;
    boolean first = true;
    for (int i = start; i < end; i++) {
      v = (v << 7) | (d[i] & 0x7f);
      if ((d[i] & 0x80) == 0) {
        if (first) {
          b.append(v < 80 ? v / 40 : 2).append('.').append(v < 80 ? v % 40 : v - 80);
          first = false;
        } else {
          b.append('.').append(v);
        }
        v = 0;
      }
    }
    return b.toString();
  }

  // getSubjectAlternativeNames gives an otherName (type 0) as the DER of
  // OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }.
  static Map<String, String> otherNames(X509Certificate c) throws Exception {
    Map<String, String> values = new TreeMap<>();
    Collection<List<?>> names = c.getSubjectAlternativeNames();
    if (names == null) return values;
    for (List<?> n : names) {
      if (((Integer) n.get(0)) != 0) continue;
      byte[] d = (byte[]) n.get(1);
      int[] seq = tlv(d, 0);
      int[] id = tlv(d, seq[1]);
      int[] explicit = tlv(d, id[2]);
      int[] value = tlv(d, explicit[1]);
      // OpenJDK keeps the [0] EXPLICIT wrapper inside what it re-encodes
      // (the value arrives as [0] { [0] { UTF8String } }): unwrap.
      while (value[0] == 0xa0) value = tlv(d, value[1]);
      if (value[0] != 0x0c) throw new Exception("otherName value is not a UTF8String");
      values.put(oid(d, id[1], id[2]),
          new String(Arrays.copyOfRange(d, value[1], value[2]), StandardCharsets.UTF_8));
    }
    return values;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    Map<String, X509Certificate> certs = new LinkedHashMap<>();
    Map<String, String[]> rows = new LinkedHashMap<>();
    List<X509CRL> crls = new ArrayList<>();
    Date at = null;
    for (String line : Files.readAllLines(dir.resolve("manifest.tsv"))) {
      String[] f = line.split("\t", -1);
      if (f[0].equals("at")) {
        at = new Date(Long.parseLong(f[1]) * 1000);
      } else if (f[0].equals("cert")) {
        // cert id file role ca issuer
        rows.put(f[1], f);
        try {
          certs.put(f[1], (X509Certificate) cf.generateCertificate(
              new ByteArrayInputStream(Files.readAllBytes(dir.resolve(f[2])))));
          emit(f[1], "parse", true, "", null);
        } catch (Exception e) {
          emit(f[1], "parse", false, e.toString(), null);
        }
      } else if (f[0].equals("crl")) {
        // crl id file issuer
        try {
          X509CRL crl = (X509CRL) cf.generateCRL(
              new ByteArrayInputStream(Files.readAllBytes(dir.resolve(f[2]))));
          crl.verify(certs.get(f[3]).getPublicKey());
          crls.add(crl);
          emit(f[1], "parse", true, "", null);
        } catch (Exception e) {
          emit(f[1], "parse", false, e.toString(), null);
        }
      }
    }
    CertStore crlStore = CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls));
    CertPathValidator validator = CertPathValidator.getInstance("PKIX");
    boolean defaultShown = false;
    for (Map.Entry<String, String[]> e : rows.entrySet()) {
      String[] f = e.getValue();
      X509Certificate cert = certs.get(f[1]);
      if (cert == null || f[3].equals("root")) continue;
      // Trust anchors: every generation of the CA (one DN, the AKI picks).
      Set<TrustAnchor> anchors = new HashSet<>();
      for (String[] r : rows.values()) {
        if (r[3].equals("root") && r[4].equals(f[4]) && certs.get(r[1]) != null) {
          anchors.add(new TrustAnchor(certs.get(r[1]), null));
        }
      }
      CertPath path = cf.generateCertPath(List.of(cert));
      String[] modes = f[3].equals("ee") ? new String[] {"chain", "crl", "ocsp"} : new String[] {"chain"};
      for (String mode : modes) {
        PKIXParameters params = new PKIXParameters(anchors);
        params.setDate(at);
        // JPKI's certificatePolicies is critical and carries a CPS
        // qualifier (jpki.md §3.2, as the sandbox); PKIX's default rejects
        // that (RFC 5280 §6.1 leaves qualifier processing to the
        // application): a Java relying party turns it off, as it must for
        // real JPKI certificates. The default's refusal is shown once below.
        params.setPolicyQualifiersRejected(false);
        if (mode.equals("chain")) {
          params.setRevocationEnabled(false);
        } else {
          PKIXRevocationChecker rc = (PKIXRevocationChecker) validator.getRevocationChecker();
          Set<PKIXRevocationChecker.Option> options = EnumSet.of(
              PKIXRevocationChecker.Option.NO_FALLBACK, PKIXRevocationChecker.Option.ONLY_END_ENTITY);
          if (mode.equals("crl")) options.add(PKIXRevocationChecker.Option.PREFER_CRLS);
          rc.setOptions(options);
          params.addCertStore(crlStore);
          params.addCertPathChecker(rc);
        }
        try {
          validator.validate(path, params);
          emit(f[1], mode, true, mode.equals("chain") ? "" : "good", null);
        } catch (CertPathValidatorException ex) {
          if (ex.getReason() == CertPathValidatorException.BasicReason.REVOKED
              && ex.getCause() instanceof CertificateRevokedException) {
            CertificateRevokedException r = (CertificateRevokedException) ex.getCause();
            emit(f[1], mode, true, "revoked:" + r.getRevocationReason().ordinal(), null);
          } else {
            emit(f[1], mode, false, ex.getReason() + ": " + ex.getMessage(), null);
          }
        }
      }
      if (f[3].equals("ee") && !defaultShown) {
        defaultShown = true;
        try {
          PKIXParameters params = new PKIXParameters(anchors);
          params.setDate(at);
          params.setRevocationEnabled(false);
          validator.validate(path, params);
          emit(f[1], "default-params", false, "accepted with policyQualifiersRejected=true", null);
        } catch (CertPathValidatorException ex) {
          emit(f[1], "default-params", ex.getReason() == PKIXReason.INVALID_POLICY,
              ex.getReason() + ": " + ex.getMessage(), null);
        }
      }
      if (f[3].equals("ee")) {
        try {
          Map<String, String> values = otherNames(cert);
          if (!values.isEmpty()) emit(f[1], "san", true, "", values);
        } catch (Exception ex) {
          emit(f[1], "san", false, ex.toString(), null);
        }
      }
    }
  }
}
