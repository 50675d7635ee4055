"""The relying-party matrix, Python column (tests/interop/matrix.py): the
`cryptography` package of the distribution (Debian 12: 38.0), as a Python
relying party would use it. Version 38 has no path validation (added in
42): chains are checked as a relying party then did, issuer's key over
tbs_certificate_bytes. Prints one JSON object per check.
Usage: /usr/bin/python3 py_cryptography.py ARTEFACT_DIR
"""
import datetime as dt
import json
import os
import sys

import cryptography
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509 import ocsp

DIR = sys.argv[1]


def emit(id_, check, ok, detail="", values=None):
    r = {"stack": "python", "id": id_, "check": check, "ok": ok,
         "detail": detail}
    if values is not None:
        r["values"] = values
    print(json.dumps(r, ensure_ascii=False), flush=True)


def read(name):
    with open(os.path.join(DIR, name), "rb") as f:
        return f.read()


def utf8_string(der):
    """The UTF8String an otherName carries (RFC 5280 §4.2.1.6: the
    library hands over the DER of `value`)."""
    if der[0] != 0x0C:
        raise ValueError("not a UTF8String: tag %#x" % der[0])
    length, start = der[1], 2
    if length & 0x80:
        n = length & 0x7F
        length, start = int.from_bytes(der[2:2 + n], "big"), 2 + n
    return der[start:start + length].decode("utf-8")


# RFC 5280 §5.3.1 CRLReason codes of the library's names.
CODES = {"unspecified": 0, "key_compromise": 1, "ca_compromise": 2,
         "affiliation_changed": 3, "superseded": 4,
         "cessation_of_operation": 5, "certificate_hold": 6,
         "remove_from_crl": 8, "privilege_withdrawn": 9, "aa_compromise": 10}


def signed_by(issuer, signature, tbs, hash_algorithm):
    issuer.public_key().verify(signature, tbs, padding.PKCS1v15(),
                               hash_algorithm)


def main():
    m = json.load(open(os.path.join(DIR, "manifest.json")))
    at = dt.datetime.utcfromtimestamp(m["at"])
    emit("-", "version", True, cryptography.__version__)
    certs = {}
    for c in m["certs"]:
        try:
            cert = x509.load_der_x509_certificate(read(c["file"]))
            # Touching .extensions parses every extension (what 38 refused
            # for the UUID policy arc).
            names = [e.oid.dotted_string for e in cert.extensions]
            certs[c["id"]] = cert
            emit(c["id"], "parse", True, ",".join(names))
        except Exception as e:  # noqa: BLE001 - any refusal is the finding
            emit(c["id"], "parse", False, repr(e))
    crls = {}
    for l in m["crls"]:
        try:
            crl = x509.load_der_x509_crl(read(l["file"]))
            list(crl.extensions)
            for r in crl:
                list(r.extensions)
            ok = crl.is_signature_valid(certs[l["issuer"]].public_key())
            crls[l["id"]] = crl
            emit(l["id"], "parse", ok, "" if ok else "bad signature")
        except Exception as e:  # noqa: BLE001
            emit(l["id"], "parse", False, repr(e))
    for c in m["certs"]:
        cert = certs.get(c["id"])
        if cert is None:
            continue
        try:
            issuer = certs[c["issuer"]]
            signed_by(issuer, cert.signature, cert.tbs_certificate_bytes,
                      cert.signature_hash_algorithm)
            ok = cert.not_valid_before <= at <= cert.not_valid_after
            emit(c["id"], "chain", ok, "" if ok else "outside validity")
        except Exception as e:  # noqa: BLE001
            emit(c["id"], "chain", False, repr(e))
        if c["role"] != "ee":
            continue
        crl = crls.get(c.get("crl"))
        if crl is not None:
            entry = crl.get_revoked_certificate_by_serial_number(
                cert.serial_number)
            status = "good"
            if entry is not None:
                status = "revoked"
                try:
                    reason = entry.extensions.get_extension_for_class(
                        x509.CRLReason).value.reason
                    status = "revoked:%d" % CODES[reason.name]
                except x509.ExtensionNotFound:
                    pass
            ok = crl.next_update is not None and at <= crl.next_update
            emit(c["id"], "crl", ok, status)
        try:
            san = cert.extensions.get_extension_for_class(
                x509.SubjectAlternativeName).value
            values = {n.type_id.dotted_string: utf8_string(n.value)
                      for n in san.get_values_for_type(x509.OtherName)}
            emit(c["id"], "san", True, "", values)
        except x509.ExtensionNotFound:
            pass
        except Exception as e:  # noqa: BLE001
            emit(c["id"], "san", False, repr(e))
    for o in m["ocsp"]:
        try:
            resp = ocsp.load_der_ocsp_response(read(o["file"]))
            status = resp.response_status.name.lower()
            if resp.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL:
                # Signed by the delegated responder named in the response,
                # which the CA signed (RFC 6960 §4.2.2.2).
                responder = resp.certificates[0] if resp.certificates else \
                    certs[o["issuer"]]
                signed_by(responder, resp.signature, resp.tbs_response_bytes,
                          resp.signature_hash_algorithm)
                if responder is not certs[o["issuer"]]:
                    signed_by(certs[o["issuer"]], responder.signature,
                              responder.tbs_certificate_bytes,
                              responder.signature_hash_algorithm)
                status = resp.certificate_status.name.lower()
                if resp.certificate_status == ocsp.OCSPCertStatus.REVOKED:
                    reason = resp.revocation_reason
                    status += ":%s" % (CODES[reason.name] if reason else "-")
            emit(o["id"], "ocsp", True, status)
        except Exception as e:  # noqa: BLE001
            emit(o["id"], "ocsp", False, repr(e))
    for s in m["cms"]:
        # 38 reads the certificates of a PKCS#7/CMS SignedData; it cannot
        # verify one (no CMS verification API).
        try:
            from cryptography.hazmat.primitives.serialization import pkcs7
            found = pkcs7.load_der_pkcs7_certificates(read(s["file"]))
            signer = certs[s["signer"]]
            ok = any(f == signer for f in found)
            emit(s["id"], "parse", ok, "%d certificate(s)" % len(found))
        except Exception as e:  # noqa: BLE001
            emit(s["id"], "parse", False, repr(e))


if __name__ == "__main__":
    main()
