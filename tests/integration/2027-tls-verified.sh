#!/bin/sh
# TLS is verified: a feed served over https with a self-signed certificate
# is not read, and the error says why.  The server is openssl s_server,
# serving the fixture files over TLS on 127.0.0.1.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fetch.sh"

command -v openssl >/dev/null 2>&1 || fail "openssl(1) is needed (make check installs it as root)"
rss a.xml 'a1|one|http://example.org/a1'
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
    -out "$T/cert.pem" 2>"$T/req.err" || fail "openssl req: $(cat "$T/req.err")"
(cd "$T/docs" && exec openssl s_server -WWW -accept 127.0.0.1:0 \
    -cert "$T/cert.pem" -key "$T/key.pem" >"$T/tls.out" 2>&1) &
track_pid $!
wait_for grep -q '^ACCEPT' "$T/tls.out" || fail "s_server did not start: $(cat "$T/tls.out")"
port=$(sed -n 's/^ACCEPT .*:\([0-9]*\)$/\1/p' "$T/tls.out")
aggd_start

add_wait "https://127.0.0.1:$port/a.xml"
case $(feed "$ID" .last_error) in
*certificate*)	ok "a self-signed certificate is refused" ;;
*)		fail "no certificate error: $(feed "$ID" .last_error)" ;;
esac
assert_eq "$(feed "$ID" .items)" 0 "nothing stored from it"
assert_eq "$(feed "$ID" .last_status)" null "no HTTP status: no request was made"
aggd_stop
