// The relying-party matrix, Node.js columns (tests/interop/matrix.py):
// Node's own crypto.X509Certificate ("node") and PKI.js ("pkijs", pinned in
// package-lock.json), as a Node relying party would use them. Prints one
// JSON object per check. Usage: node matrix.mjs ARTEFACT_DIR
import { X509Certificate, webcrypto } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

const dir = process.argv[2];
const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const at = new Date(m.at * 1000);
pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: webcrypto }));

function emit(stack, id, check, ok, detail = "", values) {
  const r = { stack, id, check, ok, detail: String(detail) };
  if (values) r.values = values;
  console.log(JSON.stringify(r));
}
const read = (f) => readFileSync(join(dir, f));
const ab = (buf) => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
const byId = Object.fromEntries(m.certs.map((c) => [c.id, c]));

// --- Node's crypto.X509Certificate ---------------------------------------
const native = {};
emit("node", "-", "version", true, process.version);
for (const c of m.certs) {
  try {
    native[c.id] = new X509Certificate(read(c.file));
    emit("node", c.id, "parse", true);
  } catch (e) {
    emit("node", c.id, "parse", false, e.message);
  }
}
for (const c of m.certs) {
  const cert = native[c.id];
  const issuer = native[c.issuer];
  if (!cert || !issuer) continue;
  const valid = new Date(cert.validFrom) <= at && at <= new Date(cert.validTo);
  const ok = cert.checkIssued(issuer) && cert.verify(issuer.publicKey) && valid;
  emit("node", c.id, "chain", ok, ok ? "" : "checkIssued/verify/validity failed");
  if (c.role === "ee" && cert.subjectAltName !== undefined) {
    // Node renders the SAN as text: otherName values appear only as far as
    // OpenSSL's printer does.
    emit("node", c.id, "san-text", true, cert.subjectAltName);
  }
}

// --- PKI.js ----------------------------------------------------------------
emit("pkijs", "-", "version", true, "pkijs " + JSON.parse(readFileSync(
  new URL("./node_modules/pkijs/package.json", import.meta.url), "utf8")).version);
const certs = {};
for (const c of m.certs) {
  try {
    certs[c.id] = pkijs.Certificate.fromBER(ab(read(c.file)));
    emit("pkijs", c.id, "parse", true);
  } catch (e) {
    emit("pkijs", c.id, "parse", false, e.message);
  }
}
const crls = {};
for (const l of m.crls) {
  try {
    const crl = pkijs.CertificateRevocationList.fromBER(ab(read(l.file)));
    const ok = await crl.verify({ issuerCertificate: certs[l.issuer] });
    crls[l.id] = crl;
    emit("pkijs", l.id, "parse", ok, ok ? "" : "bad signature");
  } catch (e) {
    emit("pkijs", l.id, "parse", false, e.message || e);
  }
}
function rootsOf(ca) {
  return m.certs.filter((r) => r.role === "root" && r.ca === ca && certs[r.id]).map((r) => certs[r.id]);
}
function otherNames(cert) {
  const ext = (cert.extensions || []).find((e) => e.extnID === "2.5.29.17");
  if (!ext) return null;
  const values = {};
  for (const name of ext.parsedValue.altNames) {
    if (name.type !== 0) continue;
    // OtherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
    const [oid, explicit] = name.value.valueBlock.value;
    const inner = explicit.valueBlock.value[0];
    if (!(inner instanceof asn1js.Utf8String)) throw new Error("otherName value is not a UTF8String");
    values[oid.valueBlock.toString()] = inner.valueBlock.value;
  }
  return values;
}
for (const c of m.certs) {
  const cert = certs[c.id];
  if (!cert) continue;
  try {
    if (c.role === "root") {
      const ok = await cert.verify();
      emit("pkijs", c.id, "chain", ok, ok ? "self-signed" : "bad self-signature");
      continue;
    }
    const modes = c.role === "ee" ? ["chain", "crl"] : ["chain"];
    for (const mode of modes) {
      const engine = new pkijs.CertificateChainValidationEngine({
        trustedCerts: rootsOf(c.ca),
        certs: [cert],
        crls: mode === "crl" && crls[c.crl] ? [crls[c.crl]] : [],
        checkDate: at,
      });
      const r = await engine.verify();
      if (mode === "crl") {
        const revoked = /revoked/i.test(r.resultMessage || "");
        emit("pkijs", c.id, mode, r.result || revoked, r.result ? "good" : revoked ? "revoked" : r.resultMessage);
      } else {
        emit("pkijs", c.id, mode, r.result, r.result ? "" : r.resultMessage);
      }
    }
    if (c.role === "ee") {
      const values = otherNames(cert);
      if (values) emit("pkijs", c.id, "san", true, "", values);
    }
  } catch (e) {
    emit("pkijs", c.id, "chain", false, e.message || e);
  }
}
for (const o of m.ocsp) {
  try {
    const resp = pkijs.OCSPResponse.fromBER(ab(read(o.file)));
    const code = resp.responseStatus.valueBlock.valueDec;
    if (code !== 0) {
      emit("pkijs", o.id, "ocsp", true, code === 1 ? "malformedrequest" : `status ${code}`);
      continue;
    }
    const basic = pkijs.BasicOCSPResponse.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
    const issuer = certs[o.issuer];
    const signed = await basic.verify({ trustedCerts: [issuer] });
    let status;
    if (o.cert) {
      const st = await basic.getCertificateStatus(certs[o.cert], issuer);
      status = st.isForCertificate ? ["good", "revoked", "unknown"][st.status] : "not-for-certificate";
    } else {
      // A serial nobody issued: the single response's CertStatus tag.
      const tag = basic.tbsResponseData.responses[0].certStatus.idBlock.tagNumber;
      status = ["good", "revoked", "unknown"][tag];
    }
    if (status === "revoked") {
      const single = basic.tbsResponseData.responses[0];
      const info = single.certStatus.valueBlock.value;
      status += info.length > 1 ? `:${info[1].valueBlock.value[0].valueBlock.valueDec}` : ":-";
    }
    emit("pkijs", o.id, "ocsp", signed, signed ? status : "signature not verified: " + status);
  } catch (e) {
    emit("pkijs", o.id, "ocsp", false, e.message || e);
  }
}
for (const s of m.cms) {
  try {
    const info = pkijs.ContentInfo.fromBER(ab(read(s.file)));
    const signed = new pkijs.SignedData({ schema: info.content });
    const r = await signed.verify({
      signer: 0,
      data: ab(read(s.content)),
      trustedCerts: rootsOf(byId[s.signer].ca),
      checkChain: true,
      checkDate: at,
      extendedMode: true,
    });
    emit("pkijs", s.id, "cms", r.signatureVerified === true, r.signatureVerified ? "" : r.message);
  } catch (e) {
    emit("pkijs", s.id, "cms", false, e.message || (e.signatureVerified === false ? "signature not verified" : String(e)));
  }
}
