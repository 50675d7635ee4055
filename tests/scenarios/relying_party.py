"""The relying party's side of the sign-in and signing tests (tests/sign_in,
tests/app_sign): a client from `openmyna rp add`, an authlib session that
authenticates with private_key_jwt (RFC 7523), the authorization page's app
link and wait URL, and the wait page's redirect back.

A class using it sets self.box (Sandbox), self.https (the origin),
self.root (the TLS root PEM), self.http (a requests.Session trusting it) and
self.conf (the discovery document)."""
import json
import re
import urllib.parse

from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT

from sandbox import check

REDIRECT = "https://rp.example/callback"


class RelyingParty:
    def rp_add(self, name, *extra):
        out = self.box.run("rp", "add", "--name", name, "--redirect-uri",
                           REDIRECT, "--json", *extra)
        return json.loads(out.stdout)

    def session(self, client_id, key, alg, scope):
        s = OAuth2Session(client_id, key, scope=scope, redirect_uri=REDIRECT,
                          code_challenge_method="S256",
                          token_endpoint_auth_method="private_key_jwt")
        s.register_client_auth_method(
            PrivateKeyJWT(self.conf["token_endpoint"], alg=alg))
        s.verify = self.root
        return s

    def open_authorization(self, uri):
        """The browser part: the authorization page, its app link
        (self.link) and its wait URL (self.wait)."""
        page = self.http.get(uri, allow_redirects=False)
        check(page.status_code == 200, "auth page %d %s" % (
            page.status_code, page.headers.get("Location")))
        link = re.search(r'href="([^"]+)" id="app-link"', page.text)
        wait = re.search(r'http-equiv="refresh" content="2;url=([^"]+)"',
                         page.text)
        check(link and wait,
              "no link or wait URL on the page: %s" % page.text[-3000:])
        self.link = link.group(1).replace("&amp;", "&")
        self.wait = self.https + wait.group(1).replace("&amp;", "&")
        return page

    def back_to_rp(self):
        """The browser's wait page sends it back to the relying party."""
        r = self.http.get(self.wait, allow_redirects=False)
        check(r.status_code == 302, "wait page %d" % r.status_code)
        location = r.headers["Location"]
        check(location.startswith(REDIRECT + "?"), "redirect %s" % location)
        return location, dict(urllib.parse.parse_qsl(
            urllib.parse.urlsplit(location).query))
