// The relying-party matrix, Go column (tests/interop/matrix.py): Go's
// standard library only (crypto/x509, encoding/asn1), as a Go relying party
// would use it. Reads the manifest the driver wrote and prints one JSON
// object per check on stdout.
package main

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"
)

type certEntry struct {
	ID     string `json:"id"`
	File   string `json:"file"`
	Role   string `json:"role"`
	Ca     string `json:"ca"`
	Issuer string `json:"issuer"`
	Crl    string `json:"crl"`
}

type crlEntry struct {
	ID     string `json:"id"`
	File   string `json:"file"`
	Issuer string `json:"issuer"`
}

type manifest struct {
	At    int64       `json:"at"`
	Certs []certEntry `json:"certs"`
	Crls  []crlEntry  `json:"crls"`
}

type result struct {
	Stack  string            `json:"stack"`
	ID     string            `json:"id"`
	Check  string            `json:"check"`
	Ok     bool              `json:"ok"`
	Detail string            `json:"detail,omitempty"`
	Values map[string]string `json:"values,omitempty"`
}

var out = json.NewEncoder(os.Stdout)

func emit(id, check string, err error, detail string, values map[string]string) {
	r := result{Stack: "go", ID: id, Check: check, Ok: err == nil, Detail: detail, Values: values}
	if err != nil {
		r.Detail = err.Error()
	}
	out.Encode(r)
}

// otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY } (RFC 5280
// §4.2.1.6); JPKI's values are UTF8String.
type otherName struct {
	TypeID asn1.ObjectIdentifier
	Value  asn1.RawValue `asn1:"explicit,tag:0"`
}

var sanOid = asn1.ObjectIdentifier{2, 5, 29, 17}

func otherNames(c *x509.Certificate) (map[string]string, error) {
	values := map[string]string{}
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(sanOid) {
			continue
		}
		var names []asn1.RawValue
		if rest, err := asn1.Unmarshal(ext.Value, &names); err != nil || len(rest) > 0 {
			return nil, fmt.Errorf("subjectAltName: %v", err)
		}
		for _, n := range names {
			if n.Class != asn1.ClassContextSpecific || n.Tag != 0 {
				continue
			}
			var on otherName
			full := n.FullBytes
			// [0] IMPLICIT OtherName: re-tag as a SEQUENCE to decode.
			seq := append([]byte{0x30}, full[1:]...)
			if _, err := asn1.Unmarshal(seq, &on); err != nil {
				return nil, fmt.Errorf("otherName: %v", err)
			}
			var s string
			if _, err := asn1.UnmarshalWithParams(on.Value.Bytes, &s, "utf8"); err != nil {
				return nil, fmt.Errorf("otherName %s value: %v", on.TypeID, err)
			}
			if !utf8.ValidString(s) {
				return nil, fmt.Errorf("otherName %s: not UTF-8", on.TypeID)
			}
			values[on.TypeID.String()] = s
		}
	}
	return values, nil
}

func main() {
	dir := os.Args[1]
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		panic(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		panic(err)
	}
	at := time.Unix(m.At, 0)
	parsed := map[string]*x509.Certificate{}
	roots := map[string]*x509.CertPool{}
	for _, c := range m.Certs {
		der, err := os.ReadFile(filepath.Join(dir, c.File))
		if err == nil {
			var cert *x509.Certificate
			cert, err = x509.ParseCertificate(der)
			if err == nil {
				parsed[c.ID] = cert
				if c.Role == "root" {
					if roots[c.Ca] == nil {
						roots[c.Ca] = x509.NewCertPool()
					}
					roots[c.Ca].AddCert(cert)
				}
			}
		}
		emit(c.ID, "parse", err, "", nil)
	}
	crls := map[string]*x509.RevocationList{}
	for _, l := range m.Crls {
		der, err := os.ReadFile(filepath.Join(dir, l.File))
		var crl *x509.RevocationList
		if err == nil {
			crl, err = x509.ParseRevocationList(der)
		}
		if err == nil {
			crls[l.ID] = crl
			if issuer := parsed[l.Issuer]; issuer == nil {
				err = fmt.Errorf("issuer %s not parsed", l.Issuer)
			} else {
				err = crl.CheckSignatureFrom(issuer)
			}
		}
		emit(l.ID, "parse", err, "", nil)
	}
	for _, c := range m.Certs {
		cert := parsed[c.ID]
		if cert == nil || c.Role == "root" {
			if cert != nil {
				emit(c.ID, "chain", cert.CheckSignatureFrom(cert), "self-signed", nil)
			}
			continue
		}
		// Path validation against every generation of the CA's root (the
		// generations share one DN: the AKI picks the key).
		_, err := cert.Verify(x509.VerifyOptions{
			Roots:       roots[c.Ca],
			CurrentTime: at,
			KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		emit(c.ID, "chain", err, "", nil)
		if c.Role != "ee" {
			continue
		}
		// Revocation: Go has no revocation checking; a relying party reads
		// the CRL itself (parsed and signature-checked above).
		if crl := crls[c.Crl]; crl != nil {
			status := "good"
			for _, r := range crl.RevokedCertificates {
				if r.SerialNumber.Cmp(cert.SerialNumber) == 0 {
					status = "revoked"
					for _, e := range r.Extensions {
						if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 21}) {
							var reason asn1.Enumerated
							asn1.Unmarshal(e.Value, &reason)
							status = fmt.Sprintf("revoked:%d", reason)
						}
					}
				}
			}
			var err error
			if at.After(crl.NextUpdate) {
				err = fmt.Errorf("CRL expired")
			}
			emit(c.ID, "crl", err, status, nil)
		}
		values, err := otherNames(cert)
		if len(values) > 0 || err != nil {
			emit(c.ID, "san", err, "", values)
		}
	}
}
