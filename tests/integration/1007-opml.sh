#!/bin/sh
# aggctl import FILE.opml and export: every outline with an xmlUrl is a
# feed, the folders around it become its tags, entities in titles are
# decoded; a URL given twice is subscribed once; a non-http URL is
# reported with one "aggctl: " line naming it and a non-zero exit while the
# good ones are still added; importing again adds nothing.  export prints
# well-formed OPML 2.0 (titles with & and quotes escaped) that import, into
# a fresh daemon, reads back to the same URLs and titles.  Broken input
# (missing file, malformed XML, not OPML) is refused with one line and
# adds nothing.  (Nothing listens on 127.0.0.1:9, so fetches fail locally.)

. "$(dirname "$0")/lib.sh"

cat >"$T/in.opml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
<head><title>My feeds</title></head>
<body>
  <outline text="News" title="News">
    <outline text="World">
      <outline type="rss" text="Rock &amp; Roll &quot;Daily&quot; &lt;3"
               xmlUrl="http://127.0.0.1:9/rock.xml"
               htmlUrl="http://example.org/rock"/>
    </outline>
    <outline type="rss" text="Caf&#233; local" xmlUrl="http://127.0.0.1:9/local.xml"/>
  </outline>
  <outline text="Tech">
    <outline type="rss" text="Same again" xmlUrl="http://127.0.0.1:9/local.xml"/>
    <outline type="rss" text="Gopher" xmlUrl="gopher://127.0.0.1/x"/>
  </outline>
  <outline type="rss" text="Top text" title="Top level"
           xmlUrl="https://127.0.0.1:9/top.xml?a=1&amp;b=2"/>
  <outline type="rss" text="Passwords" xmlUrl="file:///etc/passwd"/>
</body>
</opml>
EOF

aggd_start

# feeds_summary: "url|title|tags" per feed, sorted.
feeds_summary() {
	aggctl feeds --json |
	    jq -r '"\(.url)|\(.title)|\(.tags | sort | join(","))"' | sort
}

aggctl import "$T/in.opml" >"$T/out" 2>"$T/err" &&
    fail "import with non-http URLs exited 0"
ok "import with bad URLs exits non-zero"
assert_eq "$(grep -c . "$T/err")" 2 "one stderr line per bad URL"
grep -v '^aggctl: ' "$T/err" && fail "stderr lines without 'aggctl: '"
grep -q 'gopher://127.0.0.1/x' "$T/err" || fail "gopher URL not named: $(cat "$T/err")"
grep -q 'file:///etc/passwd' "$T/err" || fail "file URL not named: $(cat "$T/err")"
ok "bad URLs named on stderr"
cat >"$T/want" <<EOF
http://127.0.0.1:9/local.xml|Café local|News,Tech
http://127.0.0.1:9/rock.xml|Rock & Roll "Daily" <3|News,World
https://127.0.0.1:9/top.xml?a=1&b=2|Top level|
EOF
assert_eq "$(feeds_summary)" "$(cat "$T/want")" \
    "good feeds added once, folders as tags, entities decoded"
grep -q '3 added' "$T/out" || fail "import output: $(cat "$T/out")"
grep -q '0 already' "$T/out" || fail "import output: $(cat "$T/out")"
ok "import says what it added and what was known"

# Again: nothing added.
aggctl import "$T/in.opml" >"$T/out" 2>"$T/err" &&
    fail "second import (still with bad URLs) exited 0"
assert_eq "$(feeds_summary)" "$(cat "$T/want")" "importing twice adds nothing"
grep -q '^0 added' "$T/out" || fail "second import output: $(cat "$T/out")"
# The good part alone imports cleanly, exit 0.
grep -v -e gopher -e passwd "$T/in.opml" >"$T/good.opml"
aggctl import "$T/good.opml" >"$T/out" 2>"$T/err" ||
    fail "clean import exited $?: $(cat "$T/err")"
[ ! -s "$T/err" ] || fail "clean import wrote on stderr: $(cat "$T/err")"
assert_eq "$(feeds_summary)" "$(cat "$T/want")" "clean re-import adds nothing"

# Broken input: one line, non-zero, nothing added.
printf '<opml version="2.0"><body><outline xmlUrl="http://127.0.0.1:9/x.xml">' \
    >"$T/broken.opml"
printf '<html><body><a href="http://127.0.0.1:9/y.xml">y</a></body></html>\n' \
    >"$T/html.opml"
for f in "$T/missing.opml" "$T/broken.opml" "$T/html.opml"; do
	aggctl import "$f" >"$T/out" 2>"$T/err" && fail "import $f exited 0"
	grep -q '^aggctl: ' "$T/err" || fail "import $f: '$(cat "$T/err")'"
	assert_line "$T/err" "$(sed -n 1p "$T/err")" "import $(basename "$f"): one line"
done
assert_eq "$(feeds_summary)" "$(cat "$T/want")" "broken files add nothing"

# Export: well-formed OPML 2.0 with every URL, escaped.
aggctl export >"$T/export.opml" 2>"$T/err" || fail "export exited $?"
[ ! -s "$T/err" ] || fail "export wrote on stderr: $(cat "$T/err")"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/export.opml" 2>"$T/xerr" ||
	    fail "export is not well-formed: $(cat "$T/xerr")"
	x() { xmllint --xpath "$1" "$T/export.opml"; }
	assert_eq "$(x 'string(/opml/@version)')" 2.0 "opml version 2.0"
	assert_eq "$(x 'count(/opml/head)')" 1 "a head"
	assert_eq "$(x 'count(/opml/body//outline[@xmlUrl])')" 3 \
	    "three outlines with xmlUrl"
	assert_eq "$(x 'string(//outline[@xmlUrl="http://127.0.0.1:9/rock.xml"]/@title)')" \
	    'Rock & Roll "Daily" <3' "title with & and quotes read back"
	assert_eq "$(x 'string(//outline[@xmlUrl="http://127.0.0.1:9/rock.xml"]/@text)')" \
	    'Rock & Roll "Daily" <3' "text attribute too"
	assert_eq "$(x 'count(//outline[@xmlUrl="https://127.0.0.1:9/top.xml?a=1&b=2"])')" \
	    1 "a URL with & read back"
else
	grep -q '<opml version="2.0"' "$T/export.opml" || fail "no OPML 2.0 root"
	grep -q 'xmlUrl="http://127.0.0.1:9/rock.xml"' "$T/export.opml" ||
	    fail "rock.xml not exported"
fi
grep -q 'Rock &amp; Roll &quot;Daily&quot; &lt;3' "$T/export.opml" ||
    fail "title not escaped: $(grep rock "$T/export.opml")"
grep -q 'top.xml?a=1&amp;b=2' "$T/export.opml" ||
    fail "URL not escaped: $(grep top "$T/export.opml")"
ok "& and quotes escaped as entities"

# A fresh daemon (new database) reads the export back.
aggd_stop
sed -i "s|^database = .*|database = $T/fresh.db|" "$T/aggd.conf"
aggd_start
assert_eq "$(aggctl feeds --json | wc -l | tr -d ' ')" 0 "fresh daemon: no feeds"
aggctl import "$T/export.opml" >"$T/out" 2>"$T/err" ||
    fail "import of the export exited $?: $(cat "$T/err")"
assert_eq "$(aggctl feeds --json | jq -r .url | sort)" \
    "$(cut -d'|' -f1 "$T/want")" "the export reads back to the same URLs"
assert_eq "$(aggctl feeds --json | jq -r '"\(.url)|\(.title)"' | sort)" \
    "$(cut -d'|' -f1,2 "$T/want")" "and the same titles"
# An export of an empty daemon is still a document.
sed -i "s|^database = .*|database = $T/empty.db|" "$T/aggd.conf"
aggd_stop
aggd_start
aggctl export >"$T/empty.opml" || fail "empty export exited $?"
if command -v xmllint >/dev/null 2>&1; then
	xmllint --noout "$T/empty.opml" || fail "empty export not well-formed"
fi
aggctl import "$T/empty.opml" >"$T/out" 2>"$T/err" ||
    fail "import of an empty export exited $?: $(cat "$T/err")"
ok "an empty export is OPML that imports"
aggd_stop
