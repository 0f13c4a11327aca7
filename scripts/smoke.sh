#!/usr/bin/env bash
# smoke.sh — open Diabolo's real window under a virtual X server and check
# that it draws something.
#
#   scripts/smoke.sh [-o SHOT.png] [-t SECONDS] [-s SECONDS] [-c X,Y]... BINARY [ARGS...]
#
# Starts Xvfb on a free display, runs BINARY ARGS with DISPLAY set and a
# throw-away configuration folder, waits for a window named "Diabolo",
# screenshots it with ImageMagick's import (a Fyne canvas capture is blank
# under Xvfb), and checks that the screenshot is not blank and that the
# program is still running. -o keeps the screenshot; -t bounds the wait
# for the window (default 90 s); -s waits that long once the window is drawn
# before the final screenshot (default 0), to let background work finish;
# each -c clicks at X,Y in the window (after that wait, then waits again),
# to show the window at work.
# Exits non-zero with a message on any failure, and always stops what it
# started.
set -euo pipefail

usage="usage: $0 [-o SHOT.png] [-t SECONDS] [-s SECONDS] [-c X,Y]... BINARY [ARGS...]"
shot=""
timeout_s=90
settle_s=0
clicks=""
while getopts "o:t:s:c:" opt; do
	case $opt in
	o) shot=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	s) settle_s=$OPTARG ;;
	c) clicks="$clicks $OPTARG" ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -lt 1 ]; then
	echo "$usage" >&2
	exit 2
fi
bin=$1
shift

fail() {
	echo "smoke: FAIL: $*" >&2
	if [ -s "${work:-/nonexistent}/app.log" ]; then
		echo "smoke: last lines of the program's output:" >&2
		tail -n 20 "$work/app.log" >&2
	fi
	exit 1
}

for tool in Xvfb xdotool import convert; do
	command -v "$tool" >/dev/null || fail "$tool is not installed (run: make deps)"
done
[ -x "$bin" ] || fail "$bin is not an executable (run: make build)"

work=$(mktemp -d)
xvfb_pid=""
app_pid=""
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free display number: no socket and no lock file.
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do
	display=$((display + 1))
done
export DISPLAY=":$display"
Xvfb "$DISPLAY" -screen 0 1440x900x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do
	xdotool getdisplaygeometry >/dev/null 2>&1 && break
	kill -0 "$xvfb_pid" 2>/dev/null || fail "Xvfb exited: $(cat "$work/xvfb.log")"
	sleep 0.2
done
xdotool getdisplaygeometry >/dev/null 2>&1 || fail "Xvfb did not start on $DISPLAY"

# The program, with its preferences kept out of the user's.
LANG=en_US.UTF-8 XDG_CONFIG_HOME="$work/config" "$bin" "$@" >"$work/app.log" 2>&1 &
app_pid=$!

wid=$(timeout "$timeout_s" xdotool search --sync --onlyvisible --name '^Diabolo$' 2>/dev/null | head -n 1) || true
[ -n "$wid" ] || fail "no window named Diabolo appeared within ${timeout_s}s"
echo "smoke: window $wid is open on $DISPLAY"

# Wait for the first frames to be drawn: until the screenshot has detail.
deadline=$((SECONDS + 30))
while :; do
	kill -0 "$app_pid" 2>/dev/null || fail "the program exited after opening its window"
	import -window "$wid" "$work/shot.png" 2>"$work/import.log" || fail "import failed: $(cat "$work/import.log")"
	stddev=$(convert "$work/shot.png" -format '%[fx:standard_deviation]' info:)
	colours=$(convert "$work/shot.png" -format '%k' info:)
	if awk -v s="$stddev" -v c="$colours" 'BEGIN { exit !(s > 0.02 && c > 16) }'; then
		break
	fi
	[ $SECONDS -lt $deadline ] || fail "the window stayed blank (standard deviation $stddev, $colours colours)"
	sleep 1
done
if [ "$settle_s" != 0 ] || [ -n "$clicks" ]; then
	sleep "$settle_s"
	for xy in $clicks; do
		xdotool mousemove --window "$wid" "${xy%,*}" "${xy#*,}" click 1 || fail "could not click at $xy"
		sleep "$settle_s"
	done
	import -window "$wid" "$work/shot.png" || fail "import failed"
fi
size=$(convert "$work/shot.png" -format '%wx%h' info:)
echo "smoke: screenshot $size, standard deviation $stddev, $colours colours"

# Still alive a moment later?
sleep 2
kill -0 "$app_pid" 2>/dev/null || fail "the program exited after drawing its window"
if grep -q "Error in Fyne call thread" "$work/app.log"; then
	fail "Fyne reported a call from the wrong goroutine"
fi

if [ -n "$shot" ]; then
	mkdir -p "$(dirname "$shot")"
	cp "$work/shot.png" "$shot"
	echo "smoke: saved $shot"
fi
echo "smoke: PASS"
