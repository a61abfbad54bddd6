#!/bin/sh
# OPML import: every folder a feed sits in, at any depth, becomes a tag,
# also when the feed is listed in two folders (one feed, both tags);
# importing again adds the tags a subscribed feed lacks; htmlUrl becomes
# the feed's link while it has none and is exported; --dry-run prints what
# would be added and tagged and changes nothing.

. "$(dirname "$0")/lib.sh"

aggd_start
u1=http://127.0.0.1:9/one.xml
u2=http://127.0.0.1:9/two.xml
cat >"$T/a.opml" <<EOF
<?xml version="1.0"?>
<opml version="2.0"><head><title>t</title></head><body>
<outline text="News">
  <outline text="World">
    <outline type="rss" text="One" xmlUrl="$u1" htmlUrl="http://one.example/"/>
  </outline>
</outline>
<outline text="Daily">
  <outline type="rss" text="One" xmlUrl="$u1"/>
  <outline type="rss" text="Two" xmlUrl="$u2"/>
</outline>
</body></opml>
EOF
tags() {
	aggctl feeds --json | jq -r --arg u "$1" 'select(.url == $u) | .tags | join(",")'
}

aggctl import --dry-run "$T/a.opml" >"$T/out" 2>"$T/err" ||
    fail "import --dry-run exited $?: $(cat "$T/err")"
grep -qx "would add $u1 (tags: News, World, Daily)" "$T/out" ||
    fail "dry run: $(cat "$T/out")"
grep -qx "would add $u2 (tags: Daily)" "$T/out" || fail "dry run: $(cat "$T/out")"
assert_eq "$(aggctl feeds --json | wc -l | tr -d ' ')" 0 "a dry run adds nothing"

aggctl import "$T/a.opml" >"$T/out" || fail "import exited $?"
assert_eq "$(cat "$T/out")" "2 added, 0 already subscribed" \
    "a feed in two folders is one feed"
assert_eq "$(tags "$u1")" "Daily,News,World" "every folder, at any depth, is a tag"
assert_eq "$(tags "$u2")" "Daily" "the other feed's folder"
assert_eq "$(aggctl feeds --json | jq -r --arg u "$u1" 'select(.url == $u) | .link')" \
    "http://one.example/" "htmlUrl is the feed's link"
aggctl export >"$T/export.opml" || fail "export exited $?"
grep -q 'htmlUrl="http://one.example/"' "$T/export.opml" ||
    fail "export lacks htmlUrl: $(cat "$T/export.opml")"
ok "htmlUrl exported"

# The same feed in a new folder: re-import adds that tag, nothing else.
cat >"$T/b.opml" <<EOF
<opml version="1.0"><body>
<outline title="Later"><outline text="Two" xmlUrl="$u2"/></outline>
<outline text="Daily"><outline text="One" xmlUrl="$u1"/></outline>
</body></opml>
EOF
aggctl import --dry-run "$T/b.opml" >"$T/out" || fail "dry run exited $?"
grep -qx "would tag $u2: Later" "$T/out" || fail "dry run: $(cat "$T/out")"
grep -q "$u1" "$T/out" && fail "dry run names an unchanged feed: $(cat "$T/out")"
assert_eq "$(tags "$u2")" "Daily" "a dry run tags nothing"
aggctl import "$T/b.opml" >"$T/out" || fail "re-import exited $?"
assert_eq "$(cat "$T/out")" "0 added, 2 already subscribed (1 given new tags)" \
    "re-import counts"
assert_eq "$(tags "$u2")" "Daily,Later" "re-import adds the new tag"
assert_eq "$(tags "$u1")" "Daily,News,World" "and leaves the others"
assert_eq "$(aggctl import --json "$T/b.opml" | jq -c '[.added, .existing, .tagged]')" \
    "[0,2,0]" "import --json"
aggd_stop
